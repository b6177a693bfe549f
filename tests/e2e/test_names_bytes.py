"""File names that are not UTF-8 (Linux names are bytes): sent, stored, written beside and shown escaped,
through the installed CLI on the real engine; such bytes in argv are said in a sentence, never a trace."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.audio_helpers import variant
from tests.support.homes import stt, watching
from tests.support.waiting import wait_until

BAD = "a\udcff\udcfe.wav"  # the bytes a, 0xff, 0xfe, .wav, as os.listdir and argv give them


def jobs_by_file(home: Path) -> dict[str, dict]:
    listed = stt(home, "jobs", "--json")
    assert listed.returncode == 0, listed.stderr
    return {j["file"]: j for j in json.loads(listed.stdout)}  # JSON's \udcff: the name's own bytes


def test_a_folder_with_a_name_that_is_not_utf8_is_sent_whole_and_shown_escaped(module_home, tmp_path):
    folder = tmp_path / "card"
    bad, after = variant(folder / BAD, 1), variant(folder / "z.wav", 2)
    assert os.fsencode(bad).endswith(b"/a\xff\xfe.wav")
    sent = stt(
        module_home, "submit", str(folder), "--export", "txt", "--wait"
    )  # text=True: stdout must be UTF-8
    assert sent.returncode == 0, sent.stderr
    assert "Traceback" not in sent.stderr and "a\\xff\\xfe.wav" in sent.stdout
    found = jobs_by_file(module_home)
    assert {str(bad), str(after)} <= set(found)  # the file after it was sent too
    assert "north" in (folder / "a\udcff\udcfe.txt").read_text().lower()  # beside it, under its own bytes
    job = found[str(bad)]["id"]

    listed = stt(module_home, "jobs")
    assert "a\\xff\\xfe.wav" in listed.stdout
    shown = stt(module_home, "show", str(job))
    assert shown.returncode == 0 and f"{folder}/a\\xff\\xfe.wav" in shown.stdout
    hits = stt(module_home, "search", "north")
    assert hits.returncode == 0 and f"#{job} a\\xff\\xfe.wav 00:00:00" in hits.stdout

    out = tmp_path / "out\udcff.srt"
    written = stt(module_home, "export", str(job), "-o", str(out))
    assert written.returncode == 0 and "out\\xff.srt" in written.stderr and "-->" in out.read_text()
    typed = [("show", "\udcff"), ("export", "1\udcff"), ("search", "\udcff"), ("correct", str(job), "\udcff")]
    for args in typed:
        said = stt(module_home, *args)
        assert said.returncode == 2 and said.stderr.count("\n") == 1 and "Traceback" not in said.stderr, args
    assert stt(module_home, "search", "north\udcff").returncode == 0  # the byte reads as U+FFFD, a separator


def test_a_watch_survives_a_name_that_is_not_utf8_and_sends_what_comes_after(module_home, tmp_path):
    folder = tmp_path / "drop"
    log = tmp_path / "watch.log"
    with watching(module_home, folder, log, "--export", "txt") as watch:
        bad = variant(folder / BAD, 11)
        wait_until(lambda: str(bad) in jobs_by_file(module_home), 60, "the file that is not UTF-8 to be sent")
        later = variant(folder / "later.wav", 12)
        wait_until(lambda: str(later) in jobs_by_file(module_home), 60, "a file dropped after it to be sent")
        wait_until((folder / "later.txt").exists, 60, "its transcript beside it")
        assert watch.poll() is None and "Traceback" not in log.read_text()


def test_the_history_form_of_a_name_is_lossless_and_utf8_names_are_kept_as_they_are():
    from stt_tui.shared.names import real, stored

    every_byte = os.fsdecode(bytes(range(1, 256)).replace(b"/", b""))
    assert real(stored(every_byte)) == every_byte and stored(every_byte).encode("utf-8")
    for name in ("talk.wav", "совет ёлка.wav", "nl\nx \\x00ff.wav"):
        assert stored(name) == name and real(name) == name
