"""A plain open of an SQLite file by stt-tui's code, caught wherever it happens.

Closing any descriptor of a database file drops every POSIX lock its process holds on it; another
process then deletes the WAL under the first one's connections, and what they write afterwards is lost
(issue 30). Python's `open` audit event fires for `open()`, `os.open()`, `Path.open()` and the rest; SQLite's
own opens are C calls and raise none. Each open that a frame of the `stt_tui` package made is written to
the file named by STT_TUI_OPEN_LOG (every process of the run) and kept in `caught` (this process).
"""

from __future__ import annotations

import os
import sys
import traceback

SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")
_PACKAGE = f"{os.sep}stt_tui{os.sep}"
caught: list[str] = []
_installed = False


def _by_stt_tui() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if _PACKAGE in name and f"{os.sep}tests{os.sep}" not in name:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not args or isinstance(args[0], int) or args[0] is None:
        return
    try:
        name = os.fsdecode(args[0])  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return
    if not name.endswith(SUFFIXES) or not _by_stt_tui():
        return
    where = "".join(traceback.format_stack(limit=8)[:-2])
    report = f"pid {os.getpid()} opened {name}:\n{where}"
    caught.append(report)
    log = os.environ.get("STT_TUI_OPEN_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:  # not a database file: the hook does not see itself
            f.write(report + "\n")


def install() -> None:
    """Add the hook (once per process; audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
