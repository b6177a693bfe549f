"""Stopping on SIGINT and SIGTERM: a process asked to stop is gone within STOP_SECONDS, whatever holds it.

Asked once, it unwinds (half-written files removed, rows settled on the way) and, if something still holds
it when the time is up (a call without a deadline, a thread joined at exit, a lock), it ends anyway with the
signal's exit status. Asked twice, it ends at once. Ending without unwinding loses nothing stored: every
row is written in a transaction, and a job left half done is found and settled by the next process, as
after a crash.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

STOP_SECONDS = 5.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)

_asked = threading.Event()


def exit_status(signum: int) -> int:
    """What a shell shows for a process ended by `signum` (130 for Ctrl-C, 143 for SIGTERM)."""
    return 128 + signum


_last_words: list[Callable[[], None]] = []


def before_ending(undo: Callable[[], None]) -> None:
    """`undo` runs if the process is ended without unwinding (what a terminal UI set up in the terminal:
    os._exit runs no `finally`, and the shell would be left in the UI's screen modes)."""
    _last_words.append(undo)


def _end_now(code: int, why: str) -> None:
    for undo in reversed(_last_words):
        with contextlib.suppress(Exception):  # ending regardless: nothing here may keep the process
            undo()
    try:
        sys.stderr.write(f"stt-tui: {why}; ended.\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # no one to tell: stderr is closed or gone
    os._exit(code)


def deadline(code: int, seconds: float = STOP_SECONDS) -> None:
    """The process has been asked to stop: once `seconds` have passed, it ends with `code` if still here.

    A second call (a second signal) ends it at once.
    """
    if _asked.is_set():
        _end_now(code, "asked again to stop")
    _asked.set()
    # A daemon thread, so that a process that ends in time is not held by it either.
    why = f"still running {seconds:g} s after it was asked to stop"
    timer = threading.Timer(seconds, _end_now, (code, why))
    timer.daemon = True
    timer.start()


def on_stop_signals(stop: Callable[[int], None]) -> dict[int, Any]:
    """Call `stop(signum)` on SIGINT and SIGTERM in the main thread, the deadline set first; returns the
    handlers replaced.

    Set even where the parent left SIGINT ignored (`cmd &` in a script, a shell without job control: a test
    run started so hung on its watch): Python then leaves it ignored, and `kill -INT` would never stop it.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        deadline(exit_status(signum))
        stop(signum)

    return {signum: signal.signal(signum, handler) for signum in SIGNALS}
