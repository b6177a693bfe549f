"""stt-tui: asynchronous speech recognition from the terminal."""

__version__ = "0.1.0"
