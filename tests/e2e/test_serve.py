"""`stt-tui serve` as a real process, and clients starting it on demand."""

from __future__ import annotations

import os
import signal
import subprocess

import grpc
import pytest

from stt_tui.api import ServiceError
from stt_tui.connection.local_engine import ensure_engine, is_serving
from stt_tui.shared.paths import resolve_paths
from tests.support.audio_helpers import SHARED, clip, lpcm_request, service_pcm
from tests.support.engines import client_for, wait_done
from tests.support.homes import STT_TUI


def start_serve(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [STT_TUI, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline().strip()
    assert line.startswith("listening on "), (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, line.removeprefix("listening on ")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_its_address_and_stops_cleanly(short_tmp, sig):
    proc, address = start_serve(
        "--listen", "127.0.0.1:0", "--data-dir", str(short_tmp / "d"), "--allow-root", str(SHARED)
    )
    try:
        host, port = address.rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0
        pcm, rate, channels = service_pcm(clip("ps_cards_003.wav").path)
        with client_for(address) as c:
            state = wait_done(c, c.recognize(lpcm_request(pcm, rate, channels, raw_results=True)).id)
            assert state.response.chunks[0].alternatives[0].text == "seven of clubs"
    finally:
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 0
    assert not is_serving(address, timeout=0.3)


def test_serve_on_a_unix_socket_by_default(short_tmp):
    proc, address = start_serve("--data-dir", str(short_tmp))
    try:
        assert address == f"unix:{short_tmp / 'engine.sock'}"
        with client_for(address) as c, pytest.raises(ServiceError) as info:
            c.get_operation("e03aaaaaaaaaaaaaaaaa")
        assert info.value.code == grpc.StatusCode.NOT_FOUND
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    assert not (short_tmp / "engine.sock").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--allow-root", "/definitely/not/here"], "is not a folder"),
        (["--model", "/definitely/not/a/model"], "neither a model folder nor in the local model cache"),
        (["--listen", "256.1.1.1:9999"], "Cannot listen on"),
        (["--listen", "127.0.0.1:99999"], "the port must be between 0 and 65535"),
    ],
)
def test_serve_refuses_bad_settings_in_one_sentence(short_tmp, args, message):
    result = subprocess.run(
        [STT_TUI, "serve", "--data-dir", str(short_tmp), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_engine_on_the_same_data_folder_is_refused(short_tmp):
    proc, _ = start_serve("--listen", "127.0.0.1:0", "--data-dir", str(short_tmp))
    try:
        result = subprocess.run(
            [STT_TUI, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(short_tmp)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2 and "already running" in result.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_clients_start_the_local_engine_once(short_tmp):
    paths = resolve_paths(short_tmp)
    target = ensure_engine(paths, allowed_roots=[SHARED])
    pid = int((paths.engine_dir / "engine.lock").read_text())
    try:
        assert target == f"unix:{paths.engine_socket}"
        assert is_serving(target)
        # A second client finds it running and starts nothing new.
        assert ensure_engine(paths) == target
        assert int((paths.engine_dir / "engine.lock").read_text()) == pid
        with client_for(target) as c:
            assert wait_done(
                c, c.recognize(lpcm_request(*service_pcm(clip("ps_cards_001.wav").path))).id
            ).response
    finally:
        os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not is_serving(target, timeout=0.1):
            break
    assert not is_serving(target, timeout=0.3)
