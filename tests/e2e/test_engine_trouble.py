"""The engine keeps working through trouble with its own store, and processes leave nothing behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import wave
from pathlib import Path

import grpc
import numpy as np
import pytest

from stt_tui.api import ServiceError
from tests.support.audio_helpers import clip, lpcm_request, service_pcm
from tests.support.engines import client_for, make_server, wait_done
from tests.support.homes import STT_TUI, stop_engine
from tests.support.waiting import wait_until

CARDS = clip("ps_cards_003.wav")


def test_a_locked_store_delays_work_but_never_kills_the_worker(short_tmp, recognizer):
    server = make_server(short_tmp / "engine", recognizer)
    server.start()
    client = client_for(server.address)
    try:
        pcm, rate, channels = service_pcm(CARDS.path)
        first = client.recognize(lpcm_request(pcm, rate, channels))
        # Another connection holds the store's write lock until the engine has given up on it (past its
        # 5 s busy timeout): finishing the job, and taking the next one, fail meanwhile. Released only
        # then, not after a fixed time: on a loaded machine the call may reach the engine late.
        blocker = sqlite3.connect(
            short_tmp / "engine" / "engine.sqlite3", isolation_level=None, check_same_thread=False
        )
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ServiceError) as caught:
                client.recognize(lpcm_request(pcm, rate, channels))  # the engine says it cannot store it
            assert caught.value.code == grpc.StatusCode.INTERNAL
            assert "cannot store the request" in str(caught.value)
            assert client.get_operation(first.id).id == first.id  # reading still answers
        finally:
            blocker.execute("COMMIT")
            blocker.close()
        done = wait_done(client, first.id, timeout=60)
        assert done.done and done.error is None
        # The worker is alive: new work is still done.
        second = client.recognize(lpcm_request(pcm, rate, channels))
        assert wait_done(client, second.id, timeout=60).error is None
    finally:
        client.close()
        server.stop()


def test_a_submit_terminated_while_converting_leaves_no_part_file(short_tmp):
    home = short_tmp / "home"
    long_wav = short_tmp / "long-44k.wav"
    rate = 44100
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(rate * 10) / rate) * 32767).astype("<i2").tobytes()
    with wave.open(str(long_wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        for _ in range(90):  # 15 minutes: converted to Opus, which takes a while
            w.writeframes(tone)
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    proc = subprocess.Popen([STT_TUI, "submit", str(long_wav)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: list((home / "outbox").glob("*.part")), 60, "the conversion to start", every=0.05)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 128 + signal.SIGTERM and "Traceback" not in stderr, stderr
        assert list((home / "outbox").glob("*.part")) == []
        jobs = subprocess.run([STT_TUI, "jobs"], env=env, capture_output=True, text=True).stdout
        assert "failed" in jobs
    finally:
        proc.kill()
        stop_engine(home)


def test_an_engine_keeps_its_caches_in_its_own_folder(short_tmp):
    """With --home, nothing is written to the user's ~/.cache (onnxruntime, model hubs)."""
    fake_home = short_tmp / "user"
    fake_home.mkdir()
    home = short_tmp / "h"
    env = {**os.environ, "HOME": str(fake_home), "STT_TUI_HOME": str(home)}
    env.pop("XDG_CACHE_HOME", None)
    try:
        result = subprocess.run(
            [STT_TUI, "submit", str(CARDS.path), "--wait"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    finally:
        stop_engine(home)
    assert not (fake_home / ".cache").exists(), list(fake_home.rglob("*"))


def test_a_home_too_long_for_a_socket_still_works(short_tmp):
    home = short_tmp / ("a-rather-long-folder-name-" * 4) / "home"
    assert len(str(home / "engine" / "engine.sock")) > 107
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    try:
        result = subprocess.run(
            [STT_TUI, "submit", str(CARDS.path), "--wait"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert " done " in result.stdout and result.stderr == ""
    finally:
        stop_engine(home)


def test_an_engine_folder_that_is_a_file_is_one_sentence(short_tmp):
    home = short_tmp / "h"
    home.mkdir()
    (home / "engine").write_text("not a folder")
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    result = subprocess.run([STT_TUI, "submit", str(CARDS.path)], env=env, capture_output=True, text=True)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "local engine cannot start" in lines[0] and str(home / "engine") in lines[0]
    assert Path(home / "engine").is_file()
