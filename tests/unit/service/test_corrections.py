"""A transcript corrected and named: a layer over what the service sent, in every export, in the files
beside the audio (rewritten unless the user changed them), in the search index, and undone."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from stt_tui.history.search import parse_query
from stt_tui.jobs.model import RequestOptions
from stt_tui.outputs.formatting import job_details
from stt_tui.service.facade import Service
from stt_tui.service.indexing import index_job
from stt_tui.settings.config import load_profile
from stt_tui.shared.paths import resolve_paths
from tests.support.transcripts import operation_json, parse_srt, parse_vtt

LONG = "a corrected phrase that is far longer than what the recognizer heard, " * 3


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    told: list[str] = []
    paths = resolve_paths(tmp_path / "home")
    svc = Service.open(paths, load_profile(None), warn=told.append, tell=told.append)
    svc.told = told
    yield svc
    svc.close()


def done_job(service: Service, audio: Path, formats: tuple[str, ...]):
    history = service.history
    job = history.add_submitting(profile="local", file_path=str(audio), options=RequestOptions())
    history.add_delivery(job.id, str(audio), formats)
    history.mark_submitted(job.id, "op1", time.time(), time.time())
    job = history.store_result(job.id, operation_json())
    index_job(history, job)
    service.deliverer.deliver(job)
    return job


def test_a_correction_and_names_reach_every_output_and_are_undone(service, tmp_path):
    audio = tmp_path / "talk.wav"
    job = done_job(service, audio, ("txt", "srt"))
    assert (tmp_path / "talk.txt").read_text().startswith("Channel 1: hello there\nChannel 2: hi how are you")

    phrases = service.correct(job, 1, "hey, how are you doing")
    assert [(p.text, p.edited) for p in phrases][:2] == [
        ("hello there", False),
        ("hey, how are you doing", True),
    ]
    assert phrases[1].words == () and (phrases[1].start, phrases[1].end) == (2.0, 3.3)  # its time stays
    phrases = service.rename(job, 2, "  Anna  ")
    assert [p.who for p in phrases] == ["Channel 1", "Anna", "Channel 1", "Anna"]

    txt = service.export(job, "txt")
    assert txt == "Channel 1: hello there\nAnna: hey, how are you doing\nChannel 1: fine thanks\nAnna: good\n"
    cues = parse_srt(service.export(job, "srt"))
    assert cues[1][1:] == (2.0, 3.3, "Anna: hey, how are you doing")
    vtt = parse_vtt(service.export(job, "vtt"))
    assert "<v Anna>hey, how are you doing" in [c[2] for c in vtt]
    rows = list(csv.reader(io.StringIO(service.export(job, "csv"))))
    assert rows[0] == ["start", "end", "channel", "text"]
    assert rows[2] == ["2.000", "3.300", "Anna", "hey, how are you doing"]
    md = service.export(job, "md").split("\n\n")
    assert md[:2] == ["[00:00:00] Channel 1: hello there", "[00:00:02] Anna: hey, how are you doing"]
    tsv = service.export(job, "tsv").splitlines()
    assert tsv[2].split("\t") == ["2.000", "3.300", "Anna", "hey, how are you doing"]
    data = json.loads(service.export(job, "json"))
    assert data["response"]["chunks"][2]["alternatives"][0]["text"] == "hi how are you"  # as it came
    assert [c["text"] for c in data["corrections"]] == ["hey, how are you doing"]
    assert data["names"] == {"2": "Anna"}

    details = job_details(job, time.time(), service.history.edits(job.id))
    assert "corrections    1 phrase corrected" in details and "names          2: Anna" in details

    # Beside the audio: rewritten, as stt-tui wrote it; search finds the new words, not the old.
    assert (tmp_path / "talk.txt").read_text() == txt
    assert "Anna: hey, how are you doing" in (tmp_path / "talk.srt").read_text()
    hits = service.history.search(parse_query("doing"))
    assert [(h.job_id, h.n) for h in hits] == [(job.id, 1)]
    assert service.history.search(parse_query("hi")) == []  # the word the correction took out

    # A file the user changed since is left alone, with a sentence; the other is still rewritten.
    (tmp_path / "talk.txt").write_text("my own notes\n")
    service.correct(job, 3, "good, thanks")
    assert (tmp_path / "talk.txt").read_text() == "my own notes\n"
    assert any("talk.txt is already there and is not a transcript stt-tui wrote" in t for t in service.told)
    assert "good, thanks" in (tmp_path / "talk.srt").read_text()

    # Undone: what the service recognized, everywhere.
    service.correct(job, 1, "")
    service.correct(job, 3, "good")  # the recognized text again: no correction left
    service.rename(job, 2, "")
    assert service.export(job, "txt").splitlines()[1] == "Channel 2: hi how are you"
    assert "corrections" not in json.loads(service.export(job, "json"))
    assert service.history.edits(job.id).empty
    assert [(h.job_id, h.n) for h in service.history.search(parse_query('"hi how"'))] == [(job.id, 1)]


def test_a_long_corrected_phrase_is_cut_into_cues_by_its_own_time(service, tmp_path):
    job = done_job(service, tmp_path / "talk.wav", ())
    service.correct(job, 0, LONG)
    cues = [c for c in parse_srt(service.export(job, "srt")) if "corrected" in c[3] or "recognizer" in c[3]]
    assert len(cues) > 1 and cues[0][1] == 0.5  # the phrase's own start...
    assert all(0.5 <= c[1] < 1.4 for c in cues)  # ...and each cue starts within its time (0.5-1.4 s)
    assert [c[1] for c in cues] == sorted(c[1] for c in cues) and len({c[1] for c in cues}) == len(cues)
    # A cue's lines break at a space (issue 33).
    said = " ".join(c[3].removeprefix("Channel 1: ").replace("\n", " ") for c in cues)
    assert said == " ".join(LONG.split())


def test_a_name_on_mono_audio_reaches_txt_srt_vtt_and_the_transcript_view(service, tmp_path):
    """On one channel, csv, tsv, md and json said the name a person gave, and txt (so `show`), srt, vtt
    and the transcript view did not (issue 33)."""
    from stt_tui.tui.widgets.phrase_rows import utterance_row

    mono = [(1, [("hello", 0.0, 0.5), ("there", 0.5, 1.0)]), (1, [("good", 2.0, 2.5)])]
    history = service.history
    job = history.add_submitting(profile="local", file_path=str(tmp_path / "a.wav"), options=RequestOptions())
    history.mark_submitted(job.id, "op1", time.time(), time.time())
    job = history.store_result(job.id, operation_json(mono))
    assert service.export(job, "txt") == "hello there\ngood\n"  # no name given: no label
    phrases = service.rename(job, 1, "Anna")

    assert service.export(job, "txt") == "Anna: hello there\nAnna: good\n"
    assert parse_srt(service.export(job, "srt"))[0][3] == "Anna: hello there"
    assert parse_vtt(service.export(job, "vtt"))[0][2] == "<v Anna>hello there"
    row = utterance_row(phrases[0], labelled=False, words=False, query="")
    shown = io.StringIO()
    Console(file=shown, width=100).print(row)
    assert len(row.columns) == 3 and "Anna" in shown.getvalue()
