"""A voice's print, shared by the engine (which labels speakers with it) and the client (which remembers
named voices with it): the speaker encoder and its features (encoder.py), and a voice's print from
stretches of its speech (prints.py). It imports nothing of stt-tui, so both sides may use it."""
