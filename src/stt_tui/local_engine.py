"""Finding the local engine, and starting it in the background when it is not running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import grpc

from .paths import Paths


class EngineStartError(RuntimeError):
    """The engine could not be started; the message says why."""


def is_serving(target: str, timeout: float = 0.5) -> bool:
    """True when something accepts gRPC connections at `target`."""
    channel = grpc.insecure_channel(target)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
        return True
    except grpc.FutureTimeoutError:
        return False
    finally:
        channel.close()


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""


def serve_command(paths: Paths, allowed_roots: Sequence[Path], model: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "stt_tui", "serve", "--listen", paths.engine_target]
    cmd += ["--data-dir", str(paths.engine_dir)]
    for root in allowed_roots:
        cmd += ["--allow-root", str(root)]
    if model:
        cmd += ["--model", model]
    return cmd


def ensure_engine(
    paths: Paths,
    *,
    allowed_roots: Sequence[Path] = (),
    model: str | None = None,
    timeout: float = 60.0,
) -> str:
    """Return the local engine's target, starting the engine detached if nothing answers there."""
    target = paths.engine_target
    if is_serving(target):
        return target
    paths.engine_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(paths.engine_log, "ab") as log:
        proc = subprocess.Popen(
            serve_command(paths, allowed_roots, model),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives the client; its own Ctrl-C does not reach it
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_serving(target, timeout=0.25):
            return target
        if proc.poll() is not None and "already running" not in _last_line(paths.engine_log):
            # Another client may have won the race to start it; only then is this exit harmless.
            if is_serving(target, timeout=1.0):
                return target
            reason = _last_line(paths.engine_log) or f"exit code {proc.returncode}"
            raise EngineStartError(f"The local engine did not start: {reason}")
    raise EngineStartError(
        f"The local engine did not answer at {target} within {timeout:g} s; see {paths.engine_log}."
    )
