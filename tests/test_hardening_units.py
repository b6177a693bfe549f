"""Hardening, decided without a server: wording, clocks, files, schedules, streams. Each would fail before."""

from __future__ import annotations

import os
import random
import socket
import stat
import threading
import time
import wave
from dataclasses import replace
from pathlib import Path

import grpc
import numpy as np
import pytest

from stt_tui.api import ServiceError
from stt_tui.audio import probe as audio
from stt_tui.audio.loudness import WINDOW, WindowRms
from stt_tui.audio.prepare import part_path, sweep_parts
from stt_tui.history import History, HistoryError, JobNotFound
from stt_tui.jobs.model import Job, JobState, RequestOptions, format_duration
from stt_tui.jobs.schedule import CLOUD_POLICY, LOCAL_POLICY, before_deadline, is_due, longest_wait
from stt_tui.outputs.export import render, word_starts
from stt_tui.outputs.files import OutputError, write_output
from stt_tui.outputs.formatting import job_row, job_to_dict, json_text, no_transcript
from stt_tui.service.polling import Poller
from stt_tui.settings.config import ConfigError, load_config
from stt_tui.shared.paths import MAX_SOCKET_PATH, PathsError, resolve_paths
from stt_tui.shared.speechkit import options_problem
from stt_tui.shared.wording import clause, detail, plural, printable, quoted
from stt_tui.tui import cells

from .test_export import operation_json, parse_srt, parse_vtt


def job(**kw) -> Job:
    base = dict(id=1, profile="local", state=JobState.RUNNING, file_path="/a/talk.wav", created_at=1000.0)
    return Job(**{**base, **kw})


# --- wording ----------------------------------------------------------------------------------


def test_control_characters_never_reach_a_terminal():
    name = "\x1b[31mred\nfile\u202e.wav"
    assert printable(name) == "\\x1b[31mred\\nfile\\u202e.wav"
    assert printable("line one\nline two\x07", lines=True) == "line one\nline two\\x07"
    row = job_row(job(file_path=f"/music/{name}", operation_id="op\x1b[2J"), 2000.0)
    assert not any(c in cell for cell in row for c in "\x1b\n\u202e")
    # JSON escapes C0 by itself; C1 and bidi controls are escaped too, and the JSON stays valid.
    text = json_text({"file": "a\x9b31mb\u202e"})
    assert "\x9b" not in text and "\u202e" not in text
    import json

    assert json.loads(text) == {"file": "a\x9b31mb\u202e"}


def test_sentences_nest_without_doubled_punctuation_or_empty_parentheses():
    assert clause("The model cannot do it (start the engine with --model).") == (
        "The model cannot do it (start the engine with --model)"
    )
    assert detail("") == "" and detail(None) == ""
    assert detail("can't sync.") == " (can't sync)"
    assert plural(1, "phrase") == "1 phrase" and plural(2, "phrase") == "2 phrases"
    assert plural(2, "match") == "2 matches" and plural(1, "match") == "1 match"
    huge = quoted("x" * 1_000_000)
    assert len(huge) < 80


def test_durations_round_and_estimates_are_never_zero():
    assert format_duration(1.88) == "2s"  # not truncated to 1s
    assert format_duration(59.6) == "1m00s"
    assert format_duration(0.15, up=True) == "1s"  # an estimate: never ~0s
    short = job(audio_seconds=1.5, channels=1, created_at=0.0)
    assert "~0s" not in cells.time_cell(short, 7.0, LOCAL_POLICY).plain


def test_one_wording_for_a_job_without_a_transcript():
    failed = job(state=JobState.FAILED, last_error="Invalid audio received.")
    assert no_transcript(failed) == "Job #1 has no transcript: it is failed: Invalid audio received."


def test_a_cancelled_job_with_its_stored_operation_is_not_saved():
    cancelled = job(state=JobState.CANCELLED, has_result=True, expires_at=10_000.0)
    assert not cancelled.has_transcript
    assert cells.retention_cell(cancelled, 2000.0).plain == "-"
    assert job_to_dict(cancelled, 2000.0)["result_saved"] is False
    done = job(state=JobState.DONE, has_result=True)
    assert done.has_transcript and cells.retention_cell(done, 2000.0).plain == "✓ saved"


def test_options_the_service_does_not_know_are_refused_up_front():
    assert options_problem("en-US", "general") is None
    assert options_problem("EN-us", "general") is None
    assert "not one the service knows" in (options_problem("xx-YY", "general") or "")
    assert "not one the service offers" in (options_problem("en-US", "foo") or "")
    assert "general:rc" in (options_problem("pt-BR", "general") or "")


# --- exports ----------------------------------------------------------------------------------


def test_subtitles_carry_the_text_the_service_returned():
    text = "Ten of clubs. Four Queen of clubs. Seven of clubs. Five, five."
    words = "ten of clubs four queen of clubs seven of clubs five five".split()
    timed = [(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(words)]
    op = operation_json([(1, timed)]).replace(
        '"text": "ten of clubs four queen of clubs seven of clubs five five"', f'"text": "{text}"'
    )
    op = op.replace('"text":"ten of clubs four queen of clubs seven of clubs five five"', f'"text":"{text}"')
    assert render(op, "txt") == text + "\n"
    srt = " ".join(c[3] for c in parse_srt(render(op, "srt")))
    vtt = " ".join(c[2] for c in parse_vtt(render(op, "vtt")))
    assert srt == text and vtt == text


def test_words_map_onto_tokens_even_when_numbers_are_spelled_out():
    from stt_tui.outputs.export import Word

    words = tuple(Word(w, 0, 0) for w in "in twenty twenty we met".split())
    tokens, starts = word_starts("In 2020, we met.", words)
    assert tokens == ["In", "2020,", "we", "met."]
    assert starts == sorted(starts) and starts[0] == 0 and starts[3] == 2 and starts[4] == 3


# --- files ------------------------------------------------------------------------------------


def test_export_writes_through_a_symlink_and_never_replaces_a_device(tmp_path):
    real = tmp_path / "notes.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_output(link, "new text\n")
    assert link.is_symlink() and real.read_text() == "new text\n"
    with pytest.raises(OutputError, match="not a regular file"):
        write_output(Path("/dev/full"), "x")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_output(fifo, "x")
    with pytest.raises(OutputError, match="a folder"):
        write_output(tmp_path, "x")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_private_files_in_a_folder_others_can_read(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    History(home / "history.sqlite3").close()
    assert stat.S_IMODE((home / "history.sqlite3").stat().st_mode) == 0o600
    (home / "old.sqlite3").write_text("")
    (home / "old.sqlite3").chmod(0o644)
    from stt_tui.shared.private import private_file

    private_file(home / "old.sqlite3")
    assert stat.S_IMODE((home / "old.sqlite3").stat().st_mode) == 0o600


def test_parts_are_per_process_and_a_dead_writers_parts_are_swept(tmp_path):
    dst = tmp_path / "abc.pcm"
    mine = part_path(dst)
    assert str(os.getpid()) in mine.name and mine.name.endswith(".part")
    mine.write_bytes(b"in progress")
    dead = tmp_path / "abc.pcm.999999999.part"
    dead.write_bytes(b"left by a killed process")
    assert sweep_parts(tmp_path) == [dead]
    assert mine.exists() and not dead.exists()


def test_a_config_that_is_not_utf8_is_one_sentence(tmp_path):
    (tmp_path / "config.toml").write_bytes(b'default_profile = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path)


def test_home_settings(tmp_path, monkeypatch):
    with pytest.raises(PathsError):
        resolve_paths("")
    monkeypatch.setenv("STT_TUI_HOME", " ")
    with pytest.raises(PathsError):
        resolve_paths(None)
    deep = tmp_path / ("d" * 120)
    paths = resolve_paths(deep)
    assert len(str(paths.engine_socket)) <= MAX_SOCKET_PATH
    assert resolve_paths(tmp_path).engine_socket == tmp_path / "engine" / "engine.sock"


# --- audio ------------------------------------------------------------------------------------


def _wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(int(16000 * seconds), "<i2").tobytes())
    return path


def test_a_truncated_wav_is_said_and_measured(tmp_path):
    whole = _wav(tmp_path / "whole.wav", 10.0)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: 44 + 2 * 960])  # 0.06 s of the promised 10 s
    probe = audio.probe(cut)
    assert probe.duration == pytest.approx(0.06) and probe.claimed_duration == pytest.approx(10.0)
    verdict = audio.check(probe)
    assert not verdict.refused
    assert verdict.notes == [
        "It is truncated: its header promises 10.00 s but it holds 0.06 s; those 0.06 s are sent."
    ]
    assert audio.check(audio.probe(whole)).notes == []


def test_a_damaged_ogg_claiming_hours_is_refused_as_damaged(tmp_path):
    from .audio_helpers import clip, encode, read_pcm

    samples, rate = read_pcm(clip("ps_cards_001.wav").path)
    data = bytearray(encode(samples, rate, "ogg", "libopus", 48000))
    # The last page's granule position says where the stream ends: claim ~9 hours.
    last = data.rfind(b"OggS")
    data[last + 6 : last + 14] = (48000 * 3600 * 9).to_bytes(8, "little")
    bad = tmp_path / "bad.opus"
    bad.write_bytes(bytes(data))
    with pytest.raises(audio.ProbeError, match="looks damaged"):
        audio.probe(bad)


def test_a_symlink_loop_is_one_sentence(tmp_path):
    loop = tmp_path / "loop.wav"
    loop.symlink_to(loop)
    with pytest.raises(audio.ProbeError, match="cannot be read"):
        audio.probe(loop)


def test_the_loudness_envelope_streams():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, WINDOW * 37 + 123)).astype(np.float32)
    rms = WindowRms()
    for start in range(0, data.shape[1], 997):  # blocks that never line up with windows
        rms.feed(data[:, start : start + 997])
        assert rms._rest is not None and rms._rest.shape[1] < WINDOW  # one partial window kept
    framed = data[:, : 37 * WINDOW].reshape(2, 37, WINDOW)
    assert np.allclose(rms.result(), np.sqrt(np.mean(np.square(framed.astype(np.float64)), axis=2)))


# --- the schedule and the history -------------------------------------------------------------


def test_a_clock_set_back_makes_a_job_due_not_an_hour_away():
    now = 100_000.0
    normal = job(next_poll_at=now + 600, audio_seconds=60.0, channels=1)
    assert not is_due(normal, now, CLOUD_POLICY)
    # The clock was set back an hour after the next check was stored at now + 600.
    set_back = replace(normal, next_poll_at=now + 3600 + 600)
    assert longest_wait(normal, CLOUD_POLICY) < 3600 and is_due(set_back, now, CLOUD_POLICY)
    deferred = replace(set_back, options=RequestOptions(model="deferred-general"))
    assert not is_due(deferred, now, CLOUD_POLICY)  # two hours between checks is normal for it


def test_the_last_check_is_before_the_retention_deadline():
    running = job(expires_at=10_000.0)
    assert before_deadline(50_000.0, running, 9_000.0, CLOUD_POLICY) == 10_000.0 - 60
    # Past the deadline: one check shortly after it settles the job as expired.
    assert before_deadline(50_000.0, running, 10_000.0, CLOUD_POLICY) == 10_060.0
    assert before_deadline(9_100.0, running, 9_000.0, CLOUD_POLICY) == 9_100.0


def test_a_job_forgotten_while_it_is_being_checked_is_simply_not_polled(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    j = history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    j = history.mark_submitted(j.id, "op" + "0" * 18, 1000.0, 1000.0)

    def get(job):
        history.forget(j.id)  # another process forgets it while the call is in flight
        from stt_tui._proto.yandex.cloud.operation import operation_pb2
        from stt_tui.api import decode_operation

        return decode_operation(operation_pb2.Operation(id=job.operation_id, done=False))

    poller = Poller(history, "local", get, LOCAL_POLICY, clock=lambda: 2000.0, rand=random.Random(0))
    assert poller.poll_due() == []
    with pytest.raises(JobNotFound):
        history.schedule(j.id, 3000.0)
    with pytest.raises(JobNotFound):
        history.store_result(j.id, operation_json())


def test_find_refuses_an_empty_reference(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    with pytest.raises(JobNotFound, match="Give a job number"):
        history.find("")


def test_a_history_with_a_version_and_no_tables_is_one_sentence(tmp_path):
    import sqlite3

    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=3")
    db.close()
    with pytest.raises(HistoryError, match="damaged"):
        History(path)


# --- calls in flight --------------------------------------------------------------------------


def test_quitting_ends_a_call_in_flight_at_once():
    from stt_tui.api import ChannelSettings, Endpoints, SpeechKitClient

    # A server that accepts connections and never answers: the call would wait its 30 s deadline.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    client = SpeechKitClient(Endpoints.single(ChannelSettings(f"127.0.0.1:{port}", retry_attempts=1)))
    outcome: list[BaseException] = []

    def call():
        try:
            client.get_operation("e03abc")
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.5)
    started = time.monotonic()
    client.abort()
    t.join(5)
    assert time.monotonic() - started < 1.0 and not t.is_alive()
    assert isinstance(outcome[0], ServiceError) and outcome[0].code == grpc.StatusCode.CANCELLED
    client.close()
    silent.close()


def test_a_replaced_connection_is_closed_only_after_its_calls(tmp_path, engine_server):
    from stt_tui.connection.backend import Backend
    from stt_tui.settings.config import builtin_profiles

    from .conftest import client_for

    backend = Backend(resolve_paths(tmp_path), replace(builtin_profiles()["local"], kind="cloud"))
    conn_client = client_for(engine_server.address)
    from stt_tui.connection.backend import _Connection

    backend._conn = _Connection(conn_client, None)
    with backend.client() as client:
        backend.retire()  # another thread switches profiles meanwhile
        with pytest.raises(ServiceError) as caught:
            client.get_operation("unknownop0000000000000")  # the call still works: NOT_FOUND, not closed
        assert caught.value.code == grpc.StatusCode.NOT_FOUND
    with pytest.raises(ServiceError, match="closed"):
        conn_client.get_operation("unknownop0000000000000")  # closed by the last user, and said so


def test_a_poll_round_reports_changes_and_a_status_only_when_it_moves(tmp_path):
    from stt_tui.history.feed import JobFeed
    from stt_tui.service.facade import Service
    from stt_tui.service.poll_round import PollRound
    from stt_tui.settings.config import builtin_profiles

    paths = resolve_paths(tmp_path / "home")
    history = History(paths.history)
    service = Service(paths, builtin_profiles()["local"], history)
    feed = JobFeed(history)
    feed.load()
    rounds = PollRound(service, feed, monotonic=lambda: 100.0)  # the clock stands still
    first = rounds.run()
    assert first.status is not None and first.status.engine == "engine off, starts on demand"
    assert not first.changes
    asked: list[bool] = []
    service.engine_running = lambda: asked.append(True) or False  # type: ignore[method-assign]
    assert rounds.run().status is None and asked == []  # nothing moved: not asked again within 5 s
    history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    second = rounds.run()
    assert second.status is None and len(second.changes.changed) == 1  # the status did not move
    assert asked == [True]  # a job moved, so whether the engine runs was asked at once
    disconnected = []
    service.disconnect = lambda: disconnected.append(True)  # type: ignore[method-assign]
    other = Service(paths, replace(builtin_profiles()["local"], name="other"), history)
    rounds.switch(other)
    third = rounds.run()
    assert disconnected == [True] and rounds.service is other and third.status is not None


def test_a_jobs_expected_time_is_the_one_stored_at_submit():
    cloud_job = job(audio_seconds=600.0, channels=1, expected_seconds=200.0, created_at=0.0)
    # The local profile would say 100 s; the job was sent elsewhere and stored its own figure.
    assert cells.time_cell(cloud_job, 30.0, LOCAL_POLICY).plain == "30s/~3m20s"
    older = replace(cloud_job, expected_seconds=None)
    assert cells.time_cell(older, 30.0, LOCAL_POLICY).plain == "30s/~1m40s"


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
