"""Part files are made new: a link or a file planted where a writer used to put its part is never
followed nor truncated, whichever writer replaces a file whole (issue 31, item 1)."""

from __future__ import annotations

import hashlib
import os
import stat
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from stt_tui.audio.prepare import _copy_range, _link_or_copy, convert_to_opus, no_progress, sweep_parts
from stt_tui.engine.models import join_parts
from stt_tui.history import History
from stt_tui.outputs.beside import write_beside
from stt_tui.outputs.files import write_output
from stt_tui.shared.atomic import new_part, replacing
from stt_tui.shared.private import open_private, replace_private

VICTIM = b"the victim's own words\n"


def plausible_parts(target: Path, pids: tuple[int, ...]) -> list[Path]:
    """Every name a part of `target` had or could be guessed to have, for these processes."""
    names = [f".{target.name}.part", f"{target.name}.part", f"{target.name}.tmp"]
    for pid in pids:
        names += [f".{target.name}.{pid}.part", f"{target.name}.{pid}.part"]
    return [target.with_name(name) for name in names]


def plant(target: Path, victim: Path, pids: tuple[int, ...] = ()) -> list[Path]:
    """A link to `victim` at every plausible part name of `target`."""
    links = plausible_parts(target, (os.getpid(), *pids))
    for link in links:
        link.symlink_to(victim)
    return links


def wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x01\x00" * 1600)
    return path


def _beside(target: Path) -> None:
    history = History(target.parent / "history.sqlite3")
    try:
        write_beside(history, target, "the transcript\n", 1)
    finally:
        history.close()


def _join(target: Path) -> None:
    part = target.parent / "model.bin.part1"
    part.write_bytes(b"model")
    join_parts([part], [], target.parent, hashlib.sha256(b"model").hexdigest())


WRITERS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "replace_private": ("engine.json", lambda t: replace_private(t, b"{}")),
    "export -o": ("talk.srt", lambda t: write_output(t, "1\n")),  # type: ignore[dict-item]
    "beside the audio": ("talk.txt", _beside),
    "prepared pcm": ("abc.pcm", lambda t: _copy_range(wav(t.parent / "in.wav"), t, 44, 100, no_progress)),
    "prepared copy": ("abc.wav", lambda t: _link_or_copy(t.parent / "no such file", t, no_progress)),
    "prepared opus": ("abc.opus", lambda t: convert_to_opus(wav(t.parent / "in.wav"), t, 0.1)),
    "joined model": ("model.bin", _join),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_link_planted_at_a_part_name_is_never_followed(tmp_path, writer):
    name, write = WRITERS[writer]
    folder = tmp_path / "shared"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    target = folder / name
    links = plant(target, victim)
    try:
        write(target)
    except OSError:
        assert writer == "prepared copy"  # its source is missing: the part must be gone all the same
    assert victim.read_bytes() == VICTIM
    assert all(link.is_symlink() for link in links)
    if writer != "prepared copy":
        assert stat.S_ISREG(os.lstat(target).st_mode) and target.stat().st_size > 0
    left = {p.name for p in folder.iterdir()} - {link.name for link in links}
    assert not any(n.endswith(".part") for n in left), left  # no part of ours stays behind


def test_a_part_is_new_hidden_named_by_its_process_and_of_the_mode_asked(tmp_path):
    target = tmp_path / "talk.txt"
    fd, part = new_part(target, 0o640)
    os.close(fd)
    assert part.parent == tmp_path and part.name.startswith(".talk.txt.")
    assert part.name.endswith(f".{os.getpid()}.part")
    assert stat.S_IMODE(part.stat().st_mode) == 0o640
    fd, other = new_part(target)
    os.close(fd)
    assert other != part and stat.S_IMODE(other.stat().st_mode) == 0o600  # never the same file twice


def test_a_failed_block_leaves_no_part_and_the_old_file(tmp_path):
    target = tmp_path / "talk.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target) as f:
        f.write(b"new, half")
        raise RuntimeError("the write failed")
    assert [p.name for p in tmp_path.iterdir()] == ["talk.txt"] and target.read_text() == "old"


def test_open_private_refuses_a_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    (tmp_path / "engine.log").symlink_to(victim)
    for mode in ("wb", "ab"):
        with pytest.raises(OSError):
            os.close(open_private(tmp_path / "engine.log", mode))
    assert victim.read_bytes() == VICTIM


def test_a_target_whose_name_is_near_the_limit_can_be_written(tmp_path):
    """The part's name (hidden, random, the pid) must fit too: a 244-byte Russian title once could not be
    exported."""
    target = tmp_path / ("Лекция" * 20 + ".txt")
    assert len(os.fsencode(target.name)) == 244
    with replacing(target) as f:
        f.write(b"whole")
    assert target.read_bytes() == b"whole" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_parts_are_per_process_and_a_dead_writers_parts_are_swept(tmp_path):
    from stt_tui.shared.atomic import new_part

    fd, mine = new_part(tmp_path / "abc.pcm")
    os.close(fd)
    assert mine.name.endswith(f".{os.getpid()}.part")
    dead = tmp_path / ".abc.pcm.k3x9q2ab.999999999.part"  # hidden, as new_part names it
    dead.write_bytes(b"left by a killed process")
    assert sweep_parts(tmp_path) == [dead]
    assert mine.exists() and not dead.exists()


@pytest.mark.parametrize("writer", ["private", "output"])
def test_a_file_replaced_whole_leaves_the_old_one_and_nothing_else_when_the_write_fails(tmp_path, writer):
    """The engine's status file, rewritten every few seconds on a full disk, left a .part behind. Both
    ways of replacing a file whole (shared/atomic.replacing) are tried: private, and a transcript's."""
    import resource
    import signal

    from stt_tui.outputs.files import OutputError, write_output
    from stt_tui.shared.private import replace_private

    def write(path: Path, text: str) -> None:
        if writer == "private":
            replace_private(path, text.encode())
        else:
            write_output(path, text)

    target = tmp_path / "engine.json"
    write(target, '{"old": true}')
    if writer == "private":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, hard))  # the kernel refuses, as a full disk does
    try:
        with pytest.raises((OSError, OutputError)):
            write(target, "x" * 4096)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert [p.name for p in tmp_path.iterdir()] == ["engine.json"]
    assert target.read_bytes() == b'{"old": true}'
