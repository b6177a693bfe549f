"""The engine as a process: it goes away when idle if a client started it, and `engine status/stop`."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time

import pytest

from stt_tui.api import ChannelSettings, Endpoints, ServiceError, SpeechKitClient
from stt_tui.connection.local_engine import engine_environment, serve_command
from stt_tui.shared.paths import resolve_paths
from tests.support.audio_helpers import clip
from tests.support.homes import STT_TUI, alive, engine_pid, stop_engine, stt
from tests.support.waiting import wait_until


def test_an_engine_started_on_demand_is_told_to_leave_when_idle(short_tmp):
    paths = resolve_paths(short_tmp / "home")
    command = serve_command(paths, [], None)
    assert command[command.index("--idle-exit") + 1] == "10"
    assert engine_environment(paths)["HF_HUB_OFFLINE"] == "1"  # never a download


def test_idle_exit_waits_for_calls_to_stop(short_tmp):
    data = short_tmp / "data"
    target = f"unix:{short_tmp / 'engine.sock'}"
    log = (short_tmp / "engine.log").open("w")
    engine = subprocess.Popen(
        [STT_TUI, "serve", "--data-dir", str(data), "--listen", target, "--idle-exit", "0.05"],  # 3 s
        stdout=log, stderr=log, env={**os.environ, "GRPC_VERBOSITY": "NONE"},
    )  # fmt: skip
    try:

        def listening() -> bool:
            assert engine.poll() is None, "the engine did not start"
            return "listening on" in (short_tmp / "engine.log").read_text()

        wait_until(listening, 60, "the engine to listen", every=0.1)
        with SpeechKitClient(Endpoints.single(ChannelSettings(target))) as client:
            until = time.monotonic() + 9  # a call every half second: never idle for 3 s
            while time.monotonic() < until:
                with contextlib.suppress(ServiceError):  # NOT_FOUND: a call all the same
                    client.get_operation("e03nosuchoperation000")
                time.sleep(0.5)
            assert engine.poll() is None, "it left while being asked"
        assert engine.wait(30) == 0  # no calls now: gone within the idle time and a status tick
        assert "no work and no calls" in (short_tmp / "engine.log").read_text()
        assert not (data / "engine.json").exists()
    finally:
        if engine.poll() is None:
            engine.send_signal(signal.SIGTERM)
            engine.wait(30)


def test_engine_status_and_stop(short_tmp):
    home = short_tmp / "home"
    try:
        said = stt(home, "engine", "status")
        assert said.returncode == 0 and "not running" in said.stdout
        done = stt(home, "submit", str(clip("ps_cards_001.wav").path), "--wait")
        assert done.returncode == 0, done.stderr
        pid = engine_pid(home)
        assert pid is not None
        # Written every 5 s: the first one may have been written while the job still ran.

        def idle_status() -> dict | None:
            status = json.loads(stt(home, "engine", "status", "--json").stdout)
            return status if status.get("running_jobs") == 0 else None

        status = wait_until(idle_status, 30, "a status written after the job")
        assert status["running"] is True and status["pid"] == pid and status["model"] == "base (bundled)"
        assert status["queued_jobs"] == 0 and status["running_jobs"] == 0 and status["rss_bytes"] > 50e6
        assert status["idle_exit_seconds"] == 600
        text = stt(home, "engine", "status").stdout
        assert f"pid        {pid}" in text and "idle exit  after 10m00s idle" in text
        stopped = stt(home, "engine", "stop")
        assert stopped.returncode == 0 and f"stopped the local engine (pid {pid})" in stopped.stderr
        assert not alive(pid)
        assert "not running" in stt(home, "engine", "status").stdout
    finally:
        stop_engine(home)


def test_the_speed_is_learned_from_the_jobs_done_with_the_stated_figure_as_prior():
    from stt_tui.jobs.schedule import learned_speed

    assert learned_speed([], 10.0) == 10.0
    fast = [(1.0, 2.0)] * 20  # 2 s of work per audio minute, twenty times
    assert learned_speed(fast, 10.0) == pytest.approx((30 + 40) / 23)
    assert learned_speed([(0.05, 30.0)], 10.0) == 10.0  # a 3 s clip is mostly overhead: not counted
    assert learned_speed([(1.0, 1e6)] * 50, 10.0) == 100.0  # never beyond ten times the prior
    assert learned_speed([(1.0, 0.0)] * 50, 10.0) == 1.0


def test_what_engine_status_says():
    from stt_tui.cli.engine_cmd import status_lines

    status = {
        "address": "unix:/h/engine.sock", "pid": 42, "model": "base (bundled)", "queued_jobs": 2,
        "running_jobs": 1, "started_at": 1000.0, "idle_seconds": 0, "idle_exit_seconds": 600,
    }  # fmt: skip
    lines = status_lines(status, 1125.0, 352_000_000)
    assert lines[3] == "queue      2 queued · 1 running" and lines[4] == "uptime     2m05s"
    assert lines[5] == "memory     352 MB resident" and lines[6].startswith("idle exit  after 10m00s idle")
    assert status_lines({**status, "idle_exit_seconds": 0}, 1125.0, None)[6].endswith("runs until stopped)")
