"""A file replaced whole: written beside its place, then renamed over it.

A reader sees the old file or the new one, never half of one, and a write that fails (a full disk, a
crash of the block) leaves the old file and nothing else.

The part is always a file this process has just created (`tempfile.mkstemp`: O_CREAT|O_EXCL|O_NOFOLLOW
under a name no one can guess), so a link or a file planted in the folder, under any name, is never
followed, truncated nor written into: whoever can write into a watched folder cannot aim a write at
another file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PART = ".part"


def new_part(target: Path, mode: int = 0o600) -> tuple[int, Path]:
    """A part beside `target`, created new and open for writing: hidden (a watch and a listing pass it
    by), and named by this process before `.part`, so a dead writer's part can be told apart."""
    suffix = f".{os.getpid()}{PART}"
    fd, name = tempfile.mkstemp(prefix=f".{_fitting(target.name, suffix)}.", suffix=suffix, dir=target.parent)
    if mode != 0o600:  # mkstemp's own mode
        try:
            os.fchmod(fd, mode)
        except BaseException:
            os.close(fd)
            os.unlink(name)
            raise
    return fd, Path(name)


NAME_MAX = 255  # bytes in one file name, on Linux's file systems
_RANDOM = 8  # the characters mkstemp adds


def _fitting(name: str, suffix: str) -> str:
    """`name`, cut at a character so that the part's whole name fits in NAME_MAX bytes: a target whose
    name is near the limit can still be written."""
    room = NAME_MAX - len(os.fsencode(suffix)) - _RANDOM - 2  # the dots before and after the name
    kept = ""
    for ch in name:
        if len(os.fsencode(kept + ch)) > room:
            break
        kept += ch
    return kept


def part_writer(part: Path) -> int | None:
    """The process id a part is named by (None for a name that is not a part's)."""
    if not part.name.endswith(PART):
        return None
    pid = part.name[: -len(PART)].rsplit(".", 1)[-1]
    return int(pid) if pid.isdigit() else None


def usual_mode() -> int:
    """The mode a new file gets from open(): 0666 less the process's umask."""
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without setting it (setting it would race with other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


@contextlib.contextmanager
def replacing(target: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A new part to write `target` into (`mode`, 0600 unless told): renamed over `target` when the
    block ends, deleted if it fails."""
    fd, part = new_part(target, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the failure that brought us here is the one to tell
            part.unlink()
        raise


def create_whole(target: Path, data: bytes, mode: int = 0o600) -> None:
    """A new file at `target` that appears holding all of `data`, never empty nor half (a script that
    waits for it reads it whole); FileExistsError if something is there already, which is left as is.

    The part is published by a hard link, which fails rather than replace anything. Where the file
    system has no links (FAT on a card, some network shares), the name is claimed empty with an
    exclusive create, then replaced: the one place a reader can see it empty for a moment.
    """
    fd, part = new_part(target, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            os.link(part, target, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # no hard links here
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode))
            os.replace(part, target)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
