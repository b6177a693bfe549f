"""Files only their owner may read: the history, the engine's store and log, prepared audio.

They hold transcripts and recordings, so they are made 0600 (folders 0700) whatever the umask, and
whoever creates them: a folder the user gave (`--home`) may well be readable by others.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from stt_tui.shared.atomic import replacing

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


DATABASE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def narrow_database(path: Path) -> None:
    """Narrow an SQLite database and the files beside it to 0600, by path: no descriptor is opened.

    Closing any descriptor of a file drops every POSIX lock the process holds on it (SQLite's "How To
    Corrupt An SQLite Database File", 2.2): another process then takes itself for the last connection and
    deletes the WAL that this process's connections still write into. So a database file is only ever
    opened by SQLite; SQLite creates it (and its -wal and -shm with the database's mode), and this narrows
    the modes afterwards. A file that cannot be narrowed (a read-only disk, another owner) is left as is.
    """
    for suffix in DATABASE_SIDE_FILES:
        side = path.with_name(path.name + suffix)
        with contextlib.suppress(OSError):
            st = os.lstat(side)
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077:
                os.chmod(side, FILE_MODE)


def open_private(path: Path, mode: str = "wb") -> int:
    """A file descriptor opened for writing ("wb" truncates, "ab" appends), created 0600; a link at
    `path` is refused (OSError ELOOP), never followed. A file written whole goes through `replace_private`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    with contextlib.suppress(OSError):
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, FILE_MODE)
    return fd


def replace_private(target: Path, data: bytes) -> None:
    """Replace the file whole with `data`, 0600: written beside it, then renamed over it, so that a reader
    sees the old file or the new one. A failed write (a full disk) leaves the old file and nothing else."""
    with replacing(target) as f:
        f.write(data)
