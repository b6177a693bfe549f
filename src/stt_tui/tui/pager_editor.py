"""Opening a transcript in a program of the user's ($PAGER, $EDITOR), the app suspended meanwhile."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from textual.app import SuspendNotSupported

from stt_tui.shared.private import open_private


def pager() -> str:
    return os.environ.get("PAGER") or "less"


def editor() -> str:
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"


def run_outside(
    command: str, text: str, suspend: Callable[[], AbstractContextManager[None]], say: Callable[..., None]
) -> None:
    """Write `text` to a private temporary file and open it with `command` (a pager or an editor)."""
    fd, name = tempfile.mkstemp(prefix="stt-tui-", suffix=".txt")
    os.close(fd)
    try:
        with os.fdopen(open_private(Path(name)), "w", encoding="utf-8") as f:
            f.write(text)
        with suspend():
            subprocess.run([*shlex.split(command), name], check=False)
    except OSError as exc:
        say(f"{command} could not be run: {exc.strerror}.", severity="error")
    except SuspendNotSupported:
        say(f"This terminal cannot hand the screen over to {command}.", severity="error")
    finally:
        Path(name).unlink(missing_ok=True)
