"""The installed command's first step: Ctrl-C while the modules load ends it quietly.

Loading the command line, its parser and what they import takes a good part of a second; Python's own
SIGINT handler would end a Ctrl-C there in a KeyboardInterrupt traceback. Until the command installs its
own handlers (shared/stopping), SIGINT does what it does to any program: it ends the process.
"""

from __future__ import annotations

import signal


def main() -> int:
    """Run stt-tui; its exit code."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not if the parent ignores it
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    from stt_tui.cli import main as command_line

    return command_line()  # which sets its own handlers before it starts any work
