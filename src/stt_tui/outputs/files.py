"""Writing a transcript to a file the user named: whole or not at all, and never over something else.

The text goes to a part file made new beside the target (shared/atomic), renamed into place, so a
crash or a full disk leaves the old file as it was. A symlink is written through (the link stays a
link); anything that is not a regular file (a device such as /dev/full, a pipe, a folder) is refused,
never replaced.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from stt_tui.shared.atomic import replacing, usual_mode


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
    # A replaced file keeps its mode, a new one gets the usual one.
    mode = stat.S_IMODE(st.st_mode) if st is not None else usual_mode()
    try:
        with replacing(target, mode) as f:
            f.write(text.encode("utf-8"))
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"The disk is full: {path} was not written (any old copy is intact).") from None
        raise OutputError(f"{path} cannot be written: {exc.strerror} ({target.parent}).") from None
    return target

