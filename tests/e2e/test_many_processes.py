"""Several stt-tui processes on one history at once: what one writes survives the others opening and
closing it, the same audio is sent once however many race for it, formats asked for add up, and a full
or read-only disk can still be read (on real small file systems)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from stt_tui.engine.store import OperationStore
from stt_tui.history import History
from stt_tui.history.search import parse_query
from stt_tui.jobs.model import RequestOptions
from tests.support.audio_helpers import manifest
from tests.support.cloud_helpers import clean_env
from tests.support.cloud_rig import PROFILE
from tests.support.homes import STT_TUI, stop_engine, stt
from tests.support.tui_helpers import make_app
from tests.support.waiting import wait_for, wait_until

REPO = Path(__file__).resolve().parents[2]
CLIPS = [c.path for c in manifest() if c.path.suffix == ".wav"][:5]


def deleted_database_files(pid: int) -> list[str]:
    """The database files a process still writes into though they are gone from the folder."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if ".sqlite3" in target and target.endswith("(deleted)"):
            found.append(target)
    return found


def listed_ids(home: Path, *args: str) -> set[int]:
    result = stt(home, "--json", "jobs", *args)
    assert result.returncode == 0, result.stderr
    return {j["id"] for j in json.loads(result.stdout)}


async def test_what_the_tui_writes_survives_commands_run_beside_it(home, tmp_path):
    """The TUI holds the history the way it does (the service's connection and the job list's reader);
    other processes open, read, write and close it over and over; everything the TUI wrote afterwards is
    seen by every other process while it runs, and stays once it has quit."""
    other = History(home / "history.sqlite3")  # made before the TUI, as by an earlier command
    other.close()
    app = make_app(home, tmp_path)
    written: dict[int, str] = {}
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history open")
        assert app.service is not None
        for round in range(4):
            for args in (("jobs",), ("search", "word"), ("completion", "--list", "jobs"), ("forget", "999")):
                stt(home, *args)
            job = app.service.history.add_submitting(
                profile="local", file_path=f"/audio/{round}.wav", options=RequestOptions()
            )
            app.service.history.set_name(job.id, 1, f"Anna {round}")
            written[job.id] = f"Anna {round}"
            assert listed_ids(home) == set(written), "another process does not see what the TUI wrote"
        assert deleted_database_files(os.getpid()) == []
    assert listed_ids(home) == set(written)
    after = History(home / "history.sqlite3")
    try:
        assert {i: after.edits(i).names[1] for i in written} == written
    finally:
        after.close()


HOLDER = """
import sys
from pathlib import Path
from stt_tui.engine.store import OperationStore
path = Path(sys.argv[1])
stores = [OperationStore(path), OperationStore(path)]  # two connections in one process
for line in sys.stdin:
    n = int(line)
    stores[n % 2].add(f"op{n:018d}", spec=b"", audio_path="/a.wav", audio_owned=False, deferred=False)
    print("ok", flush=True)
"""


def test_what_the_engine_store_holds_survives_others_opening_it(tmp_path):
    """The engine's store, held by one process (with two connections), opened and closed many times by
    others: every operation the holder added is seen by a new reader while it runs and after it ends."""
    path = tmp_path / "engine.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        for n in range(6):
            for _ in range(3):
                subprocess.run(
                    [sys.executable, "-c", f"from stt_tui.engine.store import OperationStore as S; "
                     f"S(__import__('pathlib').Path({str(path)!r})).close()"],
                    check=True,
                )  # fmt: skip
            holder.stdin.write(f"{n}\n")
            holder.stdin.flush()
            assert holder.stdout.readline().strip() == "ok"
            assert deleted_database_files(holder.pid) == []
            reader = OperationStore(path)
            try:
                assert all(reader.get(f"op{i:018d}") is not None for i in range(n + 1))
            finally:
                reader.close()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    reader = OperationStore(path)
    try:
        assert all(reader.get(f"op{i:018d}") is not None for i in range(6))
    finally:
        reader.close()


# --- the same audio sent once ---------------------------------------------------------------------------


def sent_per_audio(home: Path) -> Counter[tuple[str | None, str]]:
    """How many jobs each audio was sent as, per request (every job here asks for the same)."""
    history = History(home / "history.sqlite3")
    try:
        return Counter((j.file_hash, j.profile) for j in history.jobs())
    finally:
        history.close()


def race(home: Path, folder: Path, profile_args: tuple[str, ...], env: dict[str, str]) -> None:
    """A watch of the folder and two `submit FOLDER --wait` started together, run to their end."""
    base = [STT_TUI, "--home", str(home), *profile_args]
    env = {**env, "STT_TUI_HOME": str(home)}
    watch = subprocess.Popen([*base, "watch", str(folder)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    submits = [
        subprocess.Popen([*base, "submit", str(folder), "--wait"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
        for _ in range(2)
    ]
    try:
        for p in submits:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err
        # The watch has seen every file once its jobs exist: it has nothing left to send.
        wait_until(lambda: len(sent_per_audio(home)) == len(CLIPS), 60, "a job for every audio")
    finally:
        watch.send_signal(signal.SIGINT)
        watch.communicate(timeout=60)


@pytest.fixture
def folder(short_tmp: Path) -> Path:
    path = short_tmp / "drop"
    path.mkdir()
    for clip in CLIPS:
        shutil.copy(clip, path / clip.name)
    return path


def test_processes_racing_on_one_folder_send_each_audio_once_local(home, folder):
    race(home, folder, (), dict(os.environ))
    sent = sent_per_audio(home)
    assert len(sent) == len(CLIPS) and set(sent.values()) == {1}, sent
    stop_engine(home)


def test_processes_racing_on_one_folder_send_each_audio_once_cloud(rig, folder):
    race(rig.home, folder, ("--profile", PROFILE), clean_env(**rig.env))
    sent = sent_per_audio(rig.home)
    assert len(sent) == len(CLIPS) and set(sent.values()) == {1}, sent


def test_formats_asked_for_add_up(home, short_tmp):
    talk = short_tmp / "talk.wav"
    shutil.copy(CLIPS[0], talk)
    first = stt(home, "submit", str(talk), "--export", "srt")
    assert first.returncode == 0, first.stderr
    second = stt(home, "submit", str(talk), "--export", "md,txt")
    assert second.returncode == 0, second.stderr
    assert "not sent again" in second.stderr  # the same audio: not sent again, its transcripts go beside it
    waited = stt(home, "wait")
    assert waited.returncode == 0, waited.stderr
    assert sorted(p.name for p in short_tmp.iterdir() if p.stem == "talk") == [
        "talk.md", "talk.srt", "talk.txt", "talk.wav"
    ]
    third = stt(home, "submit", str(talk), "--export", "vtt")  # after it is done: written at once
    assert third.returncode == 0, third.stderr
    assert (short_tmp / "talk.vtt").read_text().startswith("WEBVTT")
    stop_engine(home)


# --- a full disk, a read-only disk ----------------------------------------------------------------------

MAKE_HISTORY = """
import os, sqlite3, sys
from pathlib import Path
from stt_tui.history import History
from stt_tui.jobs.model import RequestOptions
from tests.support.histories import done_job
history = History(Path(sys.argv[1]) / "history.sqlite3")
done_job(history, "board.wav", ["the budget for the next year"])
left = history.add_submitting(profile="local", file_path="/audio/left.wav", options=RequestOptions())
db = sqlite3.connect(Path(sys.argv[1]) / "history.sqlite3", isolation_level=None)
db.execute("UPDATE jobs SET submitter_pid=? WHERE id=?", (2**22 + 1, left.id))  # a dead process
if sys.argv[2] == "hold":  # a process still holds it: the last jobs are in the -wal only
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for name in ("a.wav", "b.wav"):
        history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions())
    os.system(sys.argv[3])
db.close()
history.close()
"""


def on_small_disk(script: str, size: str = "4m") -> subprocess.CompletedProcess:
    """Run the bash `script` with a tmpfs of `size` mounted at $DISK, in a mount namespace of its own
    (the mount goes with it; `unshare -r` lets a user who is not root mount one too)."""
    disk = tempfile.mkdtemp(prefix="sttdisk")
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    body = f"set -u; mount -t tmpfs -o size={size} tmpfs {disk} && export DISK={disk}\n{script}"
    env = {**os.environ, "PY": sys.executable, "STT": STT_TUI, "MAKE": MAKE_HISTORY}
    env.pop("STT_TUI_HOME", None)
    try:
        return subprocess.run([*unshare, "bash", "-c", body], capture_output=True, text=True, cwd=REPO,
                              env=env, timeout=300, check=False)  # fmt: skip
    finally:
        shutil.rmtree(disk, ignore_errors=True)


def test_a_full_disk_can_still_be_read():
    result = on_small_disk(textwrap.dedent(f"""
        "$PY" -c "$MAKE" "$DISK/home" no
        dd if=/dev/zero of="$DISK/fill" bs=64k 2>/dev/null
        echo "free=$(df --output=avail "$DISK" | tail -1 | tr -d ' ')"
        export STT_TUI_HOME="$DISK/home"
        "$STT" --json jobs; echo "jobs=$?"
        "$STT" show 1 >/dev/null; echo "show=$?"
        "$STT" search budget; echo "search=$?"
        "$STT" submit "{CLIPS[0]}"; echo "submit=$?"
    """), size="3m")
    out = result.stdout
    assert "free=0" in out, result.stderr
    assert "jobs=0" in out and "show=0" in out and "search=0" in out, result.stderr
    listed = json.loads(out[out.index("[") : out.index("jobs=")])
    assert [j["state"] for j in listed] == ["submitting", "done"]  # the left row is settled later
    assert "budget for the next year" in out
    assert "submit=0" not in out and "is full" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("copied", "seen", "said"),
    [
        ("history.sqlite3 history.sqlite3-wal history.sqlite3-shm", 4, ""),  # the WAL read as it is
        ("history.sqlite3", 2, ""),  # nothing in a WAL: the file is the history
        ("history.sqlite3 history.sqlite3-wal", 2, "as of its last checkpoint"),  # said, not hidden
    ],
)
def test_a_read_only_disk_can_be_read(copied, seen, said):
    """A home on a read-only mount, copied there while a process still held it (the newest jobs in the
    WAL): `jobs`, `show` and `search` show what is committed, or say what they cannot."""
    result = on_small_disk(textwrap.dedent(f"""
        mkdir -p "$DISK/home"
        work=$(mktemp -d)
        "$PY" -c "$MAKE" "$work" hold "cd $work && cp {copied} $DISK/home/"
        rm -rf "$work"
        mount -o remount,ro "$DISK" || exit 9
        export STT_TUI_HOME="$DISK/home"
        "$STT" --json jobs; echo "jobs=$?"
        "$STT" show 1 >/dev/null; echo "show=$?"
        "$STT" search budget; echo "search=$?"
    """))
    out = result.stdout
    assert "jobs=0" in out and "show=0" in out and "search=0" in out, result.stdout + result.stderr
    listed = json.loads(out[out.index("[") : out.index("jobs=")])
    assert len(listed) == seen
    assert said in result.stderr
    assert "Traceback" not in result.stderr


def test_the_search_index_passes_its_own_check_and_a_rebuild_changes_nothing(tmp_path):
    from tests.support.histories import done_job, hits

    history = History(tmp_path / "history.sqlite3")
    try:
        ru = done_job(history, "ёлка.wav", ["Зелёная ёлка в офисе", "ещё одна ЁЛКА"], "ru-RU")
        done_job(history, "board.wav", ["the budget", "café au lait"])
        history.correct(ru.id, 0, 1, "Новая ёлочка")
        db = sqlite3.connect(tmp_path / "history.sqlite3")
        db.execute("INSERT INTO phrases_fts (phrases_fts, rank) VALUES ('integrity-check', 1)")
        before = {q: hits(history, q) for q in ("елка", "ёлочка", "новая", "cafe", "budget", "еще")}
        assert all(before.values())
        db.execute("INSERT INTO phrases_fts (phrases_fts) VALUES ('rebuild')")
        db.commit()
        db.execute("INSERT INTO phrases_fts (phrases_fts, rank) VALUES ('integrity-check', 1)")
        db.close()
        assert {q: hits(history, q) for q in before} == before
        found = history.search(parse_query("еще"))
        assert "ещё" in found[0].snippet  # shown in its own letters, found by the folded ones
    finally:
        history.close()
