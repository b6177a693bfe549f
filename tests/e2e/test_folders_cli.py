"""Folders from the command line, on the real engine: `submit FOLDER`, the same audio never sent twice,
transcripts beside the audio, and `watch`."""

from __future__ import annotations

import json
import re
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.audio_helpers import another_recording, clip, variant
from tests.support.homes import engine_pid, start_watch, stt, watching
from tests.support.waiting import wait_until

RUSSIAN = clip("ds_ru.wav")


def jobs(home: Path) -> list[dict]:
    result = stt(home, "jobs", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def of_file(home: Path, path: Path) -> list[dict]:
    return [j for j in jobs(home) if j["file"] == str(path.resolve())]


def test_submit_a_folder_sends_its_audio_and_names_what_it_refused(module_home, tmp_path):
    folder = tmp_path / "card"
    a, b = variant(folder / "a.wav", 1), variant(folder / "b.wav", 2)
    c = variant(folder / "sub" / "c.wav", 3)
    (folder / "broken.wav").write_text("not audio at all\n")
    (folder / "song.mp3").write_text("la la la\n" * 50)
    (folder / "notes.txt").write_text("not audio, not counted\n")
    result = stt(module_home, "submit", str(folder), "--export", "txt", "--wait")
    assert result.returncode == 2, result.stderr  # two refused; the rest done
    assert "2 of 4 files sent; not sent: broken.wav, song.mp3." in result.stderr
    assert "wrote a.txt beside a.wav" in result.stderr and "wrote b.txt beside b.wav" in result.stderr
    assert "north" in a.with_suffix(".txt").read_text().lower()
    assert b.with_suffix(".txt").exists() and not c.with_suffix(".txt").exists()  # not recursive
    assert [j["state"] for j in of_file(module_home, a) + of_file(module_home, b)] == ["done", "done"]

    again = stt(module_home, "submit", str(folder), "--recursive", "--json")
    assert again.returncode == 2
    listed = json.loads(again.stdout)
    assert [Path(j["file"]).name for j in listed] == ["a.wav", "b.wav", "c.wav"]
    assert "a.wav holds the same audio as job" in again.stderr and "Add --again" in again.stderr
    assert len(of_file(module_home, a)) == 1 and len(of_file(module_home, c)) == 1  # a and b not sent twice

    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = stt(module_home, "submit", str(empty))
    assert nothing.returncode == 2
    assert nothing.stderr.strip().endswith("holds no audio files (--recursive looks in its subfolders too).")


def test_the_same_audio_under_another_name_gets_its_transcript_without_being_sent(module_home, tmp_path):
    talk = variant(tmp_path / "talk.wav", 10)
    first = stt(module_home, "submit", str(talk), "--wait", "--json")
    assert first.returncode == 0, first.stderr
    (job,) = json.loads(first.stdout)
    before = len(jobs(module_home))
    copy = tmp_path / "copy of talk.wav"
    shutil.copy(talk, copy)
    result = stt(module_home, "submit", str(copy), "--export", "txt,srt", "--json")
    assert result.returncode == 0, result.stderr
    assert [j["id"] for j in json.loads(result.stdout)] == [job["id"]]
    assert f"holds the same audio as job #{job['id']}, from talk.wav, already transcribed" in result.stderr
    assert len(jobs(module_home)) == before  # nothing sent
    assert "north" in (tmp_path / "copy of talk.txt").read_text().lower()
    assert "-->" in (tmp_path / "copy of talk.srt").read_text()
    sent = stt(module_home, "submit", str(copy), "--again", "--json")
    assert sent.returncode == 0 and json.loads(sent.stdout)[0]["id"] != job["id"]


def test_the_same_audio_in_another_language_is_new_work_and_gets_its_own_transcript(module_home, tmp_path):
    talk = another_recording(RUSSIAN.path, tmp_path / "ds_ru.wav", 60)
    english = stt(module_home, "submit", str(talk), "--language", "en-US", "--wait", "--json")
    assert english.returncode == 0, english.stderr
    (first,) = json.loads(english.stdout)
    russian = stt(module_home, "submit", str(talk), "--language", "ru-RU", "--wait", "--json")
    assert russian.returncode == 0, russian.stderr
    (second,) = json.loads(russian.stdout)
    assert second["id"] != first["id"] and second["options"]["language"] == "ru-RU"
    assert "not sent again" not in russian.stderr
    assert f"job #{first['id']} has a transcript of this audio made with other options (en-US → ru-RU)" in (
        russian.stderr
    )
    shown = stt(module_home, "show", str(second["id"]))
    assert shown.returncode == 0 and re.search("[а-яё]{3}", shown.stdout.lower()), shown.stdout
    repeat = stt(module_home, "submit", str(talk), "--language", "RU-ru", "--json")
    assert repeat.returncode == 0, repeat.stderr
    assert [j["id"] for j in json.loads(repeat.stdout)] == [second["id"]]
    assert f"job #{second['id']}, already transcribed with the same options (ru-RU, general)" in repeat.stderr
    assert len(of_file(module_home, talk)) == 2


def test_a_transcript_never_replaces_a_file_stt_tui_did_not_write(module_home, tmp_path):
    talk = variant(tmp_path / "talk.wav", 20)
    (tmp_path / "talk.txt").write_text("my own notes\n")
    result = stt(module_home, "submit", str(talk), "--export", "txt,vtt", "--wait")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "talk.txt").read_text() == "my own notes\n"
    assert "talk.txt is already there and is not a transcript stt-tui wrote" in result.stderr
    assert (tmp_path / "talk.vtt").read_text().startswith("WEBVTT")
    assert [p.name for p in tmp_path.iterdir() if "part" in p.name] == []


def test_the_profiles_auto_export_is_made_by_whichever_process_sees_the_finish(module_home, tmp_path):
    (module_home / "config.toml").write_text('[profiles.local]\nauto_export = ["txt"]\n')
    try:
        talk = variant(tmp_path / "talk.wav", 30)
        sent = stt(module_home, "submit", str(talk), "--json")  # no --wait: this process does not see the end
        assert sent.returncode == 0, sent.stderr
        (job,) = json.loads(sent.stdout)
        waited = stt(module_home, "wait", str(job["id"]))
        assert waited.returncode == 0, waited.stderr
        assert "north" in (tmp_path / "talk.txt").read_text().lower()
        none = variant(tmp_path / "quiet.wav", 31)
        assert stt(module_home, "submit", str(none), "--export", "none", "--wait").returncode == 0
        assert not (tmp_path / "quiet.txt").exists()
    finally:
        (module_home / "config.toml").unlink()


def test_watch_sends_a_file_once_it_stops_growing_and_links_a_copy(module_home, tmp_path):
    folder = tmp_path / "drop"
    log = tmp_path / "watch.log"
    with watching(module_home, folder, log, "--export", "txt"):
        data = variant(tmp_path / "whole.wav", 40).read_bytes()
        slow = folder / "slow.wav"
        third = len(data) // 3
        with slow.open("wb") as f:  # three chunks over two seconds, as a copy from a slow card
            for part in (data[:third], data[third : 2 * third], data[2 * third :]):
                f.write(part)
                f.flush()
                if part is not data[2 * third :]:
                    time.sleep(1.0)
        wait_until(lambda: of_file(module_home, slow), 30, "slow.wav to be sent")
        (job,) = of_file(module_home, slow)
        # Nothing sent while it grew: one job, of the whole file, whose transcript ends as the clip does.
        assert job["file_size"] == len(data) and job["audio_seconds"] == pytest.approx(3.96, abs=0.05)
        wait_until((folder / "slow.txt").exists, 60, "its transcript beside it")
        assert "north" in (folder / "slow.txt").read_text().lower()
        assert "buy" in (folder / "slow.txt").read_text().lower()

        part = folder / "late.wav.crdownload"  # a browser's download: passed over until renamed
        variant(part, 41)
        # A file written after it settles after it; its transcript is written after the look that sent it
        # (the watch looks, then polls): by then the part file would have been sent too.
        variant(folder / "after.wav", 43)
        wait_until((folder / "after.txt").exists, 60, "after.wav's transcript beside it")
        assert of_file(module_home, folder / "late.wav") == [] and "crdownload" not in log.read_text()
        assert not [j for j in jobs(module_home) if j["file"].endswith(".crdownload")]
        part.rename(folder / "late.wav")
        wait_until(lambda: of_file(module_home, folder / "late.wav"), 30, "late.wav to be sent")
        # Stopped before its job ends, the watch would leave late.txt to the next run (deliver_pending).
        wait_until((folder / "late.txt").exists, 60, "late.wav's transcript beside it")

        shutil.copy(slow, folder / "slow copy.wav")  # the same audio again: linked, not sent
        wait_until(lambda: "linked slow copy.wav" in log.read_text(), 30, "the copy to be linked")
        wait_until((folder / "slow copy.txt").exists, 30, "the copy's transcript")
        assert of_file(module_home, folder / "slow copy.wav") == [] and len(of_file(module_home, slow)) == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "after.txt",
        "after.wav",
        "late.txt",
        "late.wav",
        "slow copy.txt",
        "slow copy.wav",
        "slow.txt",
        "slow.wav",
    ]  # fmt: skip  (read, never moved or deleted)


def test_a_copy_that_pauses_longer_than_the_settle_time_is_sent_whole_once(module_home, tmp_path):
    """A copy from a slow card can stall for longer than `settle`: the WAV then holds less than its
    header promises, which says it is still coming; sent then, half its words were lost for good (the
    row held the whole file's hash, so the completed file was taken as sent)."""
    folder = tmp_path / "drop"
    log = tmp_path / "watch.log"
    with watching(module_home, folder, log, "--export", "txt"):
        data = variant(tmp_path / "whole.wav", 42).read_bytes()
        stalled = folder / "stalled.wav"
        with stalled.open("wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            time.sleep(4.0)  # the stall: past the settle time (1.5 s), with room to spare
            f.write(data[len(data) // 2 :])
        wait_until(lambda: of_file(module_home, stalled), 60, "stalled.wav to be sent")
        wait_until((folder / "stalled.txt").exists, 60, "its transcript beside it")
        (job,) = of_file(module_home, stalled)
        assert job["file_size"] == len(data) and job["audio_seconds"] == pytest.approx(3.96, abs=0.05)
        assert "buy" in (folder / "stalled.txt").read_text().lower()  # the last word of the clip
        assert "truncated" not in log.read_text()


def test_a_watch_never_writes_through_a_link_planted_at_a_part_name(module_home, tmp_path):
    """Anyone who can write into a watched folder could aim the transcript at any file of the user's
    through a link named as the watch's part file was (issue 31, item 1)."""
    folder = tmp_path / "drop"
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own words\n")
    log = tmp_path / "watch.log"
    with watching(module_home, folder, log, "--export", "txt") as watch:
        target = folder / "talk.txt"
        names = [f".{target.name}.part", f"{target.name}.part", f"{target.name}.tmp"]
        for pid in {watch.pid, engine_pid(module_home) or watch.pid}:
            names += [f".{target.name}.{pid}.part", f"{target.name}.{pid}.part"]
        for name in names:
            (folder / name).symlink_to(victim)
        variant(tmp_path / "talk.wav", 45).rename(folder / "talk.wav")
        wait_until(lambda: "wrote talk.txt" in log.read_text(), 90, "talk.txt beside talk.wav")
    assert victim.read_text() == "the victim's own words\n"
    assert not target.is_symlink() and target.is_file()
    assert "north" in target.read_text().lower()
    assert all((folder / name).is_symlink() for name in names)


def test_a_watch_killed_and_started_again_sends_nothing_twice(module_home, tmp_path):
    folder = tmp_path / "drop"
    for n in range(3):
        variant(folder / f"take{n}.wav", 50 + n)
    log = tmp_path / "watch.log"
    watch = start_watch(module_home, folder, log)
    try:
        wait_until(lambda: log.read_text().count("submitted #") == 3, 60, "three files sent")
    finally:
        watch.kill()  # no chance to tidy up
        watch.wait(30)
    count = len(jobs(module_home))
    again = start_watch(module_home, folder, log)
    try:
        wait_until(lambda: log.read_text().count("watching") == 2, 30, "the second watch")
        # A file added now settles after the three: once it is sent and the watch has ended (a stopped watch
        # finishes its look first), any second send of theirs would have been made.
        variant(folder / "take3.wav", 53)
        wait_until(lambda: of_file(module_home, folder / "take3.wav"), 30, "the new file to be sent")
    finally:
        again.send_signal(signal.SIGINT)
        assert again.wait(30) == 130
    assert [len(of_file(module_home, folder / f"take{n}.wav")) for n in range(3)] == [1, 1, 1]
    assert len(jobs(module_home)) == count + 1
    assert log.read_text().count("submitted #") == 4


def test_a_watch_in_another_language_sends_the_folder_again_and_in_the_same_one_nothing(
    module_home, tmp_path
):
    folder = tmp_path / "drop"
    take = variant(folder / "take.wav", 70)
    log = tmp_path / "watch.log"

    def watch_until(language: str, done: Callable[[], object], what: str) -> None:
        watch = start_watch(module_home, folder, log, "--language", language)
        try:
            wait_until(done, 60, what)
        finally:
            watch.send_signal(signal.SIGTERM)
            assert watch.wait(30) == 143

    watch_until("en-US", lambda: log.read_text().count("submitted #") == 1, "take.wav as en-US")
    watch_until("ru-RU", lambda: log.read_text().count("submitted #") == 2, "take.wav again, as ru-RU")
    later = folder / "take2.wav"

    def later_sent() -> object:
        # A file made after the watch started is steady after the one already there (or with it, and then
        # handled after it, by name): once it is sent, take.wav was looked at and found done as ru-RU.
        if not later.exists() and log.read_text().count("watching") == 3:
            variant(later, 71)
        return later.exists() and of_file(module_home, later)

    watch_until("ru-RU", later_sent, "the later file to be sent")
    assert sorted(j["options"]["language"] for j in of_file(module_home, take)) == ["en-US", "ru-RU"]
    assert log.read_text().count("submitted #") == 3 and "linked" not in log.read_text()
