"""Files only their owner may read: the history, the engine's store and log, prepared audio.

They hold transcripts and recordings, so they are made 0600 (folders 0700) whatever the umask, and
whoever creates them: a folder the user gave (`--home`) may well be readable by others.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from stt_tui.shared.atomic import hidden_part, replacing

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Make the folder (and missing parents) 0700; an existing folder is left as its owner set it.

    Raises NotADirectoryError with the path when something that is not a folder stands there.
    """
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(20, "it is a file, not a folder", str(path))
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create the file empty with mode 0600 if it is missing; narrow it to 0600 if it is wider."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def open_private(path: Path, mode: str = "wb") -> int:
    """A file descriptor opened for writing ("wb" truncates, "ab" appends), created 0600."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    with contextlib.suppress(OSError):
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, FILE_MODE)
    return fd


def replace_private(target: Path, data: bytes) -> None:
    """Replace the file whole with `data`, 0600: written beside it, then renamed over it, so that a reader
    sees the old file or the new one. A failed write (a full disk) leaves the old file and nothing else."""
    with replacing(target, hidden_part(target)) as part, os.fdopen(open_private(part), "wb") as f:
        f.write(data)
