"""Which files of a folder are audio to send: by name (pure), and listed from the disk (thin)."""

from __future__ import annotations

import fnmatch
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

MEDIA_SUFFIXES = frozenset(
    ".wav .wave .mp3 .ogg .oga .opus .flac .m4a .aac .mp4 .m4v .mov .mkv .webm .avi .wma .aif .aiff "
    ".amr .3gp .wv .spx .ts .mts".split()
)
# Names browsers, downloaders and copy tools write under before renaming the finished file.
TEMPORARY_SUFFIXES = (".part", ".crdownload", ".download", ".partial", ".tmp", ".temp", ".filepart")


def is_media(path: Path) -> bool:
    """Whether the name says audio or video (what the browser lists and a folder submit sends)."""
    return path.suffix.lower() in MEDIA_SUFFIXES


def is_temporary(name: str) -> bool:
    """A file still being written under a name of its own: hidden, a download's part, an editor's lock."""
    lowered = name.lower()
    return name.startswith((".", "~$")) or lowered.endswith(TEMPORARY_SUFFIXES)


def wanted(name: str) -> bool:
    """Whether a folder submit or a watch takes a file of this name."""
    return not is_temporary(name) and is_media(Path(name))


def matches(name: str, pattern: str) -> bool:
    """A name against what the user typed: a glob if it has wildcards, else words found in the name."""
    pattern = pattern.strip().lower()
    if not pattern:
        return True
    name = name.lower()
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return all(word in name for word in pattern.split())


def home_relative(path: Path) -> str:
    """A path as a person reads it: the home folder as `~`, what is under it from `~/`."""
    try:
        inside = path.relative_to(Path.home())
    except ValueError:
        return str(path)
    return "~" if inside == Path() else f"~/{inside}"


def folder_name(path: Path) -> str:
    """How a folder is labelled at the top of the tree: its name; the home folder `~`, the root `/`."""
    return "~" if path == Path.home() else path.name or str(path)


def is_dir(path: Path) -> bool:
    """Whether the path is a folder; a path that cannot be looked at (a broken link) is not one."""
    try:
        return path.is_dir()
    except OSError:
        return False


def visible(path: Path, *, is_dir: bool, show_all: bool, show_hidden: bool, name_filter: str = "") -> bool:
    """Whether the browser lists a path: folders, and media files (all files when told) whose name
    matches the filter."""
    if path.name.startswith(".") and not show_hidden:
        return False
    if is_dir:
        return True
    return (show_all or is_media(path)) and matches(path.name, name_filter)


def directory_times(folders: Iterable[Path]) -> tuple[int, ...]:
    """The modification times of folders: one changes when an entry is added, removed or renamed."""
    times = []
    for folder in folders:
        try:
            times.append(folder.stat().st_mtime_ns)
        except OSError:
            times.append(-1)
    return tuple(times)


def media_files(folder: Path, *, recursive: bool = False) -> list[Path]:
    """The audio files of a folder (and of its subfolders, when recursive), sorted by path.

    Hidden folders are not entered, links to folders are not followed (no loops), and a subfolder that
    cannot be read is passed over; the folder itself not being readable raises OSError.
    """
    found: list[Path] = []
    pending = [folder]
    first = True
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            if first:
                raise
            continue
        first = False
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if recursive and not entry.name.startswith("."):
                        pending.append(Path(entry.path))
                elif wanted(entry.name) and entry.is_file():
                    found.append(Path(entry.path))
            except OSError:
                continue
    return sorted(found)


def snapshot(folder: Path, *, recursive: bool = False) -> dict[Path, tuple[int, int]]:
    """Size and modification time (ns) of each audio file: what a watch compares from one look to the next."""
    sizes: dict[Path, tuple[int, int]] = {}
    for path in media_files(folder, recursive=recursive):
        try:
            st = path.stat()
        except OSError:
            continue  # gone between the listing and the look
        sizes[path] = (st.st_size, st.st_mtime_ns)
    return sizes


def changes(
    folders: Sequence[Path], stop: threading.Event, *, recursive: bool = False, tick: float = 1.0
) -> Iterator[bool | None]:
    """Until `stop` is set, yields at least every `tick` seconds: True when an entry of the folders was
    added, removed or renamed, False when none was (a file still being written is not a change here),
    None when it cannot tell (no notifications here: look anyway).

    Notifications come from the OS through watchfiles; where it cannot run (inotify's limits, an
    unusual file system) this falls back to a plain tick.
    """
    try:
        from watchfiles import Change, watch

        for batch in watch(
            *folders,
            recursive=recursive,
            stop_event=stop,
            rust_timeout=max(int(tick * 1000), 1),
            yield_on_timeout=True,
            debounce=200,
        ):
            yield any(change != Change.modified for change, _ in batch)
        return
    except (ImportError, OSError, RuntimeError) as exc:
        log.info("no change notifications for %s (%s): looking every %g s", folders, exc, tick)
    while not stop.wait(tick):
        yield None
