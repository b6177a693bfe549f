"""The transcript workspace from scripts (`phrases`, `correct`, `name`), through the installed CLI and the
real engine: every output follows as in the TUI (exports, search, the transcripts beside the audio)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.support.audio_helpers import clip
from tests.support.homes import stt
from tests.support.transcripts import parse_srt

SHORT = clip("ds_arctic_a0024.wav")  # "It was my reports from the north which chiefly induced people to buy."


@pytest.fixture(scope="module")
def done(module_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """A job done with txt and srt written beside its audio: (its id, the audio)."""
    audio = tmp_path_factory.mktemp("talks") / "talk.wav"
    shutil.copy(SHORT.path, audio)
    sent = stt(module_home, "submit", str(audio), "--wait", "--export", "txt,srt", "--json")
    assert sent.returncode == 0, sent.stderr
    return json.loads(sent.stdout)[0]["id"], audio


def phrases(home: Path, job: int) -> list[dict]:
    listed = stt(home, "phrases", str(job), "--json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def test_phrases_correct_and_name_reach_every_output_and_are_undone(module_home, done):
    job, audio = done
    (first,) = phrases(module_home, job)
    assert first["number"] == 1 and first["channel"] == 1 and not first["speaker"]
    assert first["who"] == "Channel 1" and first["name"] is None and not first["corrected"]
    assert first["start"] < first["end"] and "north" in first["text"].lower()
    line = stt(module_home, "phrases", str(job)).stdout
    assert line.startswith("1  00:00:00-00:00:0") and "  Channel 1  " in line

    fixed = stt(module_home, "correct", str(job), "1", "It was my  report, from the NORTH pole")
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.startswith("1  ")
    assert "  Channel 1 ✎  It was my report, from the NORTH pole" in fixed.stdout  # its spaces made single
    assert (audio.parent / "talk.txt").read_text() == "It was my report, from the NORTH pole\n"
    assert stt(module_home, "search", "pole").stdout.startswith(f"#{job} talk.wav ")
    assert stt(module_home, "search", "chiefly").returncode == 1  # the words the correction took out

    named = stt(module_home, "name", str(job), "1", "Anna", "--json")
    assert named.returncode == 0, named.stderr
    ((who, as_named, corrected),) = [(p["who"], p["name"], p["corrected"]) for p in json.loads(named.stdout)]
    assert (who, as_named, corrected) == ("Anna", "Anna", True)
    ((_, start, _, text),) = [c[:4] for c in parse_srt((audio.parent / "talk.srt").read_text())]
    assert start == first["start"]  # a name given is said, even on the one voice there is (issue 33)
    assert text.replace("\n", " ") == "Anna: It was my report, from the NORTH pole"
    row = stt(module_home, "export", str(job), "-f", "csv").stdout.splitlines()[1]
    assert row.split(",")[2:] == ["Anna", '"It was my report', ' from the NORTH pole"']

    piped = stt(module_home, "correct", str(job), "1", "-", input="read from\nstandard input\n")
    assert piped.returncode == 0 and "  read from standard input" in piped.stdout
    assert stt(module_home, "correct", str(job), "1", "--undo").returncode == 0
    assert (
        phrases(module_home, job)[0]["text"] == first["text"]
        and not phrases(module_home, job)[0]["corrected"]
    )
    assert stt(module_home, "name", str(job), "1", "").returncode == 0
    assert phrases(module_home, job) == [first]  # as it was recognized and numbered
    assert (audio.parent / "talk.txt").read_text().strip() == first["text"]


def test_the_workspace_commands_say_a_mistake_in_one_sentence_with_exit_2(module_home, done):
    job, _ = done
    mistakes = {
        ("correct", str(job), "2", "x"): f"Job #{job} has no phrase 2.",
        ("correct", str(job), "0", "x"): "Phrases are numbered from 1",
        ("correct", str(job), "1"): "or --undo",
        ("correct", str(job), "1", "x", "--undo"): "or --undo",
        ("name", str(job), "3", "Bob"): f"Job #{job} has no channel 3.",
        ("phrases", "999"): "999",
        ("correct", str(job), "one", "x"): "invalid int value",
    }
    for args, says in mistakes.items():
        result = stt(module_home, *args)
        assert result.returncode == 2 and says in result.stderr and result.stderr.count("\n") == 1, args
        assert result.stdout == ""


def test_search_over_a_200000_word_correction_is_fast(module_home, done):
    """A phrase corrected to 200,000 words: FTS5's snippet() over it took minutes a hit."""
    job, _ = done
    huge = "word " * 200_000
    fixed = stt(module_home, "correct", str(job), "1", "-", "--json", input=huge)
    assert fixed.returncode == 0, fixed.stderr
    started = time.monotonic()
    found = stt(module_home, "search", "word", timeout=60)
    assert found.returncode == 0, found.stderr
    assert time.monotonic() - started < 30  # was minutes; now well under a second of searching
    (line,) = found.stdout.splitlines()
    assert line.startswith(f"#{job} talk.wav ") and len(line) < 200
    assert stt(module_home, "correct", str(job), "1", "--undo").returncode == 0
