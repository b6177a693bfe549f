"""The installed `stt-tui` command on the embedded engine it starts by itself: real processes throughout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import wave
from pathlib import Path

import jiwer
import numpy as np
import pytest

from stt_tui.connection.local_engine import ensure_engine
from stt_tui.history import History
from stt_tui.jobs.model import Job
from stt_tui.shared.paths import resolve_paths
from tests.support.audio_helpers import clip, encode, lpcm_request, normalize, read_pcm, resample, service_pcm
from tests.support.engines import client_for
from tests.support.homes import STT_TUI, stop_engine, stt
from tests.support.transcripts import parse_srt
from tests.support.waiting import wait_until

SHORT = clip("ds_arctic_a0024.wav")  # "It was my reports from the north which chiefly induced people to buy."
LONG = clip("vosk_lucier.wav")  # 100 s


def ok_json(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalize(reference), normalize(hypothesis))


def test_round_trip_submit_wait_list_export(module_home, tmp_path):
    (job,) = ok_json(stt(module_home, "submit", str(SHORT.path), "--wait", "--json"))
    assert job["state"] == "done" and job["result_saved"] and job["encoding"] == "LINEAR16_PCM"
    assert len(job["operation_id"]) == 20 and job["file"] == str(SHORT.path)

    listed = ok_json(stt(module_home, "jobs", "--json"))
    mine = next(j for j in listed if j["id"] == job["id"])
    assert mine["state"] == "done" and mine["result_saved"] and mine["expires_in_seconds"] is None

    out = tmp_path / "talk.srt"
    result = stt(module_home, "export", str(job["id"]), "--format", "srt", "-o", str(out))
    assert result.returncode == 0, result.stderr
    cues = parse_srt(out.read_text())
    assert [c[0] for c in cues] == list(range(1, len(cues) + 1))
    assert [c[1] for c in cues] == sorted(c[1] for c in cues) and all(c[2] > c[1] for c in cues)
    srt_text = " ".join(c[3] for c in cues)
    txt = stt(module_home, "export", job["operation_id"], "--format", "txt").stdout
    assert normalize(srt_text) == normalize(txt)
    assert wer(SHORT.reference, srt_text) <= 0.15

    shown = ok_json(stt(module_home, "show", job["operation_id"][:8], "--json"))
    assert shown["id"] == job["id"] and normalize(shown["transcript"]) == normalize(txt)
    human = stt(module_home, "show", str(job["id"]))
    assert "state" in human.stdout and "done" in human.stdout and normalize(txt) in normalize(human.stdout)
    # The prepared audio is gone once the result is stored.
    assert list((module_home / "outbox").iterdir()) == []


def test_a_44khz_wav_and_a_flac_are_converted_and_recognized(module_home, tmp_path):
    samples, rate = read_pcm(SHORT.path)
    cd = resample(samples, rate, 44100)
    wav_path = tmp_path / "cd quality.wav"
    with wave.open(str(wav_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(cd.astype("<i2").tobytes())
    flac_path = tmp_path / "talk.flac"
    flac_path.write_bytes(encode(samples, rate, "flac", "flac"))

    jobs = ok_json(stt(module_home, "submit", str(wav_path), str(flac_path), "--wait", "--json"))
    assert [j["state"] for j in jobs] == ["done", "done"]
    assert [j["encoding"] for j in jobs] == ["OGG_OPUS", "OGG_OPUS"]
    for job in jobs:
        text = stt(module_home, "export", str(job["id"])).stdout
        assert wer(SHORT.reference, text) <= 0.25, text


def write_three_channels(path: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(3)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros((16000, 3), "<i2").tobytes())
    return path


def unreadable(path: Path) -> tuple[Path, tuple[str, ...]]:
    """A real audio file this process may not read. Root reads anything, so it drops that power first."""
    shutil.copy(SHORT.path, path)
    path.chmod(0)
    if os.geteuid() == 0:
        drop = "-dac_override,-dac_read_search"
        return path, ("setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}")
    return path, ()


@pytest.mark.parametrize(
    ("make", "sentence"),
    [
        (
            lambda d: (write_three_channels(d / "three.wav"), ()),
            "three.wav cannot be sent: It has 3 channels",
        ),
        (
            lambda d: ((d / "song.mp3").write_text("la la la\n" * 100) and d / "song.mp3", ()),
            "not a readable MP3",
        ),
        (lambda d: unreadable(d / "locked.wav"), "cannot be read (permission denied)"),
        (lambda d: ((d / "empty").mkdir() or d / "empty", ()), "holds no audio files"),
    ],
    ids=["three-channels", "text-named-mp3", "unreadable", "folder-without-audio"],
)
def test_bad_files_get_one_sentence_and_a_user_error_exit(module_home, tmp_path, make, sentence):
    before = ok_json(stt(module_home, "jobs", "--json"))
    path, prefix = make(tmp_path)
    result = stt(module_home, "submit", str(path), prefix=prefix)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stt-tui: ") and sentence in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert ok_json(stt(module_home, "jobs", "--json")) == before  # nothing recorded for a file never sent


def test_one_bad_file_does_not_stop_the_others(module_home, tmp_path):
    result = stt(module_home, "submit", str(tmp_path / "missing.wav"), str(SHORT.path), "--json")
    assert result.returncode == 2 and "missing.wav does not exist" in result.stderr
    (job,) = json.loads(result.stdout)
    assert job["state"] in ("running", "done")
    assert stt(module_home, "wait", str(job["id"]), "--timeout", "120").returncode == 0


def test_killed_while_waiting_then_waiting_again_finishes(module_home):
    env = {**os.environ, "STT_TUI_HOME": str(module_home)}
    proc = subprocess.Popen(
        [STT_TUI, "submit", str(LONG.path), "--wait"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    history = History(module_home / "history.sqlite3")

    def sent() -> Job | None:
        jobs = [j for j in history.jobs() if j.file_path == str(LONG.path) and j.operation_id]
        if jobs:
            return jobs[0]
        assert proc.poll() is None, proc.stderr.read().decode()
        return None

    job = wait_until(sent, 120, "the operation id in the history", every=0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # The engine goes down hard too: the next command must start it again, and nothing is lost.
    stop_engine(module_home, signal.SIGKILL)

    kept = history.get(job.id)
    assert kept.operation_id == job.operation_id and kept.state.value == "running"
    result = stt(module_home, "wait", job.operation_id, "--json", "--timeout", "240")  # type: ignore[arg-type]
    (final,) = ok_json(result)
    assert final["state"] == "done" and final["result_saved"]
    assert wer(LONG.reference, stt(module_home, "export", str(job.id)).stdout) <= 0.25
    history.close()


def test_import_an_operation_started_elsewhere(module_home):
    paths = resolve_paths(module_home)
    paths.outbox.mkdir(parents=True, exist_ok=True)  # made by the CLI's first submit, which may not have run
    target = ensure_engine(paths, allowed_roots=[paths.outbox])  # the same engine the CLI starts
    pcm, rate, channels = service_pcm(SHORT.path)
    with client_for(target) as client:
        op = client.recognize(lpcm_request(pcm, rate, channels))
    # Started with v2 by another tool, still running: its API is said (the local profile speaks v3).
    (job,) = ok_json(stt(module_home, "import", op.id, "--json", "--language", "en-US", "--api", "v2"))
    assert job["operation_id"] == op.id and job["file"] is None and job["options"]["language"] == "en-US"
    assert job["api"] == "v2"
    again = ok_json(stt(module_home, "import", op.id, "--json"))
    assert again[0]["id"] == job["id"]  # importing twice keeps one row
    (done,) = ok_json(stt(module_home, "wait", op.id, "--json", "--timeout", "120"))
    assert done["state"] == "done"
    shown = ok_json(stt(module_home, "show", op.id, "--json"))
    assert wer(SHORT.reference, shown["transcript"]) <= 0.15

    # A finished one tells its API by its response: imported under the v3 profile, it is read as v2.
    with client_for(target) as client:
        finished = client.recognize(lpcm_request(pcm, rate, channels))
        wait_until(lambda: client.get_operation(finished.id, "v2").done, 120, "the other operation to end")
    (told,) = ok_json(stt(module_home, "import", finished.id, "--json"))
    assert told["api"] == "v2" and told["state"] == "done" and told["result_saved"]

    before = len(ok_json(stt(module_home, "jobs", "--json")))
    unknown = stt(module_home, "import", "zzzzzzzzzzzzzzzzzzzz", "--json")
    assert unknown.returncode == 2 and "does not know operation" in unknown.stderr  # nor does the engine
    assert len(ok_json(stt(module_home, "jobs", "--json"))) == before  # and nothing was written


@pytest.mark.parametrize(
    ("args", "code", "sentence"),
    [
        (["show", "424242"], 2, "No job #424242 in the history."),
        (["export", "nosuchoperationid"], 2, "No job with the id 'nosuchoperationid'"),
        (["import", "not-an-id!"], 2, "is not an operation id"),
        (["--profile", "nope", "jobs"], 2, "There is no profile 'nope'"),
        (["export", "1", "--format", "docx"], 2, "invalid choice: 'docx'"),
    ],
)
def test_mistakes_exit_with_a_user_error(module_home, args, code, sentence):
    result = stt(module_home, *args)
    assert result.returncode == code and sentence in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_forget_keeps_running_jobs_unless_forced(module_home):
    (job,) = ok_json(stt(module_home, "submit", str(LONG.path), "--again", "--json"))
    refused = stt(module_home, "forget", str(job["id"]))
    assert refused.returncode == 2 and "add --force" in refused.stderr
    assert stt(module_home, "cancel", str(job["id"]), "--json").returncode == 0
    cancelled = ok_json(stt(module_home, "show", str(job["id"]), "--json"))
    assert cancelled["state"] in ("cancelled", "running", "done")  # the service may finish first
    assert stt(module_home, "forget", str(job["id"]), "--force").returncode == 0
    assert job["id"] not in [j["id"] for j in ok_json(stt(module_home, "jobs", "--json"))]


def test_a_job_without_a_transcript_exits_4(module_home, tmp_path):
    (job,) = ok_json(stt(module_home, "submit", str(LONG.path), "--again", "--json"))
    (cancelled,) = ok_json(stt(module_home, "cancel", str(job["id"]), "--json"))
    assert cancelled["state"] == "cancelled" and not cancelled["result_saved"]
    waited = stt(module_home, "wait", str(job["id"]))
    assert waited.returncode == 4
    export = stt(module_home, "export", str(job["id"]))
    assert export.returncode == 2 and f"Job #{job['id']} has no transcript: it is cancelled" in export.stderr


def test_paths_and_help(module_home):
    paths = ok_json(stt(module_home, "paths", "--json"))
    assert paths["history"] == str(module_home / "history.sqlite3")
    assert paths["engine_socket"] == f"unix:{module_home / 'engine' / 'engine.sock'}"
    top = stt(module_home, "--help")
    assert top.returncode == 0 and "exit codes" in top.stdout
    said = " ".join(top.stdout.split())
    # What the tool speaks, as the README and the profile screen say it; where the UI opens, as it does.
    assert "SpeechKit API (v3 AsyncRecognizer, and v2 LongRunningRecognize)" in said
    assert "SpeechKit v2" not in said and "on FOLDER (default: the current folder)" in said
    serve = stt(module_home, "serve", "--help")
    assert "SpeechKit v3 (RecognizeFile" in " ".join(serve.stdout.split())
    for command in (
        "submit",
        "jobs",
        "show",
        "wait",
        "export",
        "import",
        "cancel",
        "forget",
        "paths",
        "serve",
    ):
        result = stt(module_home, command, "--help")
        assert result.returncode == 0 and f"usage: stt-tui {command}" in result.stdout


def test_export_words_gives_a_row_per_word_with_its_time_and_name(home):
    """Issue 33: `export --words` from the stored result, the channel by its name, formulas neutralized; a
    corrected phrase's words share its time (timing: spread); a format without rows says so."""
    import csv
    import io

    (job,) = ok_json(stt(home, "submit", str(SHORT.path), "--wait", "--json", "--again"))
    jid = str(job["id"])
    assert stt(home, "name", jid, "1", "=Anna").returncode == 0

    def table(fmt: str) -> list[list[str]]:
        result = stt(home, "export", jid, "-f", fmt, "--words")
        assert result.returncode == 0, result.stderr
        return list(csv.reader(io.StringIO(result.stdout), delimiter="," if fmt == "csv" else "\t"))

    rows = table("csv")
    assert rows[0] == ["start", "end", "channel", "phrase", "word", "timing"]
    words = rows[1:]
    assert len(words) >= 10 and {(r[2], r[5]) for r in words} == {("'=Anna", "recognized")}
    times = [(float(r[0]), float(r[1])) for r in words]
    assert all(s <= e for s, e in times) and [s for s, _ in times] == sorted(s for s, _ in times)
    assert wer(SHORT.reference, " ".join(r[4] for r in words)) <= 0.15
    assert table("tsv") == rows
    data = ok_json(stt(home, "export", jid, "-f", "json", "--words"))
    assert [(d["word"], d["channel"], d["start"]) for d in data] == [
        (r[4], "=Anna", float(r[0])) for r in words
    ]

    phrases = ok_json(stt(home, "phrases", jid, "--json"))
    assert stt(home, "correct", jid, "1", "It was my report.").returncode == 0
    corrected = [r for r in table("csv")[1:] if r[3] == "1"]
    assert [r[4] for r in corrected] == ["It", "was", "my", "report."]
    assert {r[5] for r in corrected} == {"spread"}
    assert float(corrected[0][0]) == pytest.approx(phrases[0]["start"], abs=0.002)
    assert float(corrected[-1][1]) == pytest.approx(phrases[0]["end"], abs=0.002)

    for fmt in ("txt", "srt", "vtt", "md"):
        refused = stt(home, "export", jid, "-f", fmt, "--words")
        assert refused.returncode == 2 and refused.stdout == ""
        assert refused.stderr.strip().endswith(f"Only csv, tsv and json have a row per word; {fmt} has none.")
