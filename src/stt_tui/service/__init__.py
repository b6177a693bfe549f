"""The use cases both frontends share, over one profile. `facade.Service` is what the CLI and the TUI hold;
the parts it is made of each take the shared context (context), never the facade: sending files and
adopting operations (submission), asking about operations and what happens when one ends (operations, and
the poller that drives the checks: polling), what a finished job leaves behind (cleanup), what the history
knows of a file's audio (content), one round of keeping a view current (poll_round), watching a folder
(watch), and the failures a person sees as one sentence (errors).

May import: every core package below it (connection, settings, outputs, audio, history, jobs, api, shared);
never textual, never the engine.
"""
