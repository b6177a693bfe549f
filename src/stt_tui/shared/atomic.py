"""A file replaced whole: written beside its place, then renamed over it.

A reader sees the old file or the new one, never half of one, and a write that fails (a full disk, a
crash of the block) leaves the old file and nothing else.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def hidden_part(target: Path) -> Path:
    """A hidden part beside `target`, named by this process: a watch, a listing and another process
    writing the same file pass it by."""
    return target.with_name(f".{target.name}.{os.getpid()}.part")


@contextlib.contextmanager
def replacing(target: Path, part: Path) -> Iterator[Path]:
    """`part`, to write `target` into: renamed over `target` when the block ends, deleted if it fails."""
    try:
        yield part
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the failure that brought us here is the one to tell
            part.unlink()
        raise
