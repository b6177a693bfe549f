"""Writing a transcript to a file the user named: whole or not at all, and never over something else.

The text goes to a temporary file beside the target, renamed into place, so a crash or a full disk
leaves the old file as it was. A symlink is written through (the link stays a link); anything that
is not a regular file (a device such as /dev/full, a pipe, a folder) is refused, never replaced.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from stt_tui.shared.atomic import replacing


class OutputError(Exception):
    """The file cannot be written; the message says why in one sentence."""


def write_output(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path`; returns the file actually written (a symlink's target)."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{path} cannot be written: {exc.strerror}.") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise OutputError(f"{path} is {kind}; give the path of a file to write.")
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path} cannot be written: {exc.strerror} ({folder}).") from None
    try:
        with replacing(target, Path(tmp)), os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            # mkstemp makes it 0600: a replaced file keeps its mode, a new one gets the usual one.
            os.fchmod(f.fileno(), stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"The disk is full: {path} was not written (any old copy is intact).") from None
        raise OutputError(f"{path} cannot be written: {exc.strerror}.") from None
    return target


def _umask() -> int:
    """The process's umask, read without setting it (setting it would race with other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022
