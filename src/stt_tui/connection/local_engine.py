"""Finding the local engine, and starting it in the background when it is not running."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import grpc

from stt_tui.shared.paths import Paths
from stt_tui.shared.private import open_private, private_dir
from stt_tui.shared.wording import clause


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


# An engine started on demand goes away once nobody has used it for this long (one started by hand stays).
IDLE_EXIT_MINUTES = 10


def serve_command(paths: Paths, allowed_roots: Sequence[Path], model: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "stt_tui", "serve", "--listen", paths.engine_target]
    cmd += ["--data-dir", str(paths.engine_dir), "--idle-exit", f"{IDLE_EXIT_MINUTES:g}"]
    for root in allowed_roots:
        cmd += ["--allow-root", str(root)]
    if model:
        cmd += ["--model", model]
    return cmd


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """Collect the engine's exit status whenever it ends, so it never lingers as a zombie."""
    threading.Thread(target=proc.wait, name="stt-engine-reaper", daemon=True).start()


def _lock_is_free(lock: Path) -> bool:
    """Whether no engine holds the data folder's lock (one that died released it with its life)."""
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases a lock taken here
    return True


def _spawn(paths: Paths, allowed_roots: Sequence[Path], model: str | None) -> subprocess.Popen[bytes]:
    try:
        private_dir(paths.engine_dir)
        log = open_private(paths.engine_log, "ab")
    except OSError as exc:
        where = exc.filename or paths.engine_log
        raise EngineStartError(f"The local engine cannot start: {where}: {exc.strerror}.") from None
    try:
        proc = subprocess.Popen(
            serve_command(paths, allowed_roots, model),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives the client; its own Ctrl-C does not reach it
            env=engine_environment(paths),
        )
    finally:
        os.close(log)
    _reap(proc)
    return proc


# Less room than this, and an engine that left no word in its log died of it (its store, its log).
FULL_DISK_BYTES = 1 << 20


def _not_started(paths: Paths, returncode: int | None) -> str:
    """Why the engine ended while starting: its log's last line, else a full disk, else its exit code."""
    reason = _last_line(paths.engine_log).removeprefix("stt-tui: ")
    if not reason:
        try:
            full = shutil.disk_usage(paths.engine_dir).free < FULL_DISK_BYTES
        except OSError:
            full = False
        if full:
            return (
                f"The local engine did not start: the disk holding {paths.engine_dir} is full; free some "
                "space and try again."
            )
    return f"The local engine did not start: {clause(reason or f'exit code {returncode}')}."


def engine_environment(paths: Paths) -> dict[str, str]:
    """The engine's environment: offline, quiet gRPC and caches inside its own data folder (how it holds
    memory it sets itself: engine/allocator.py)."""
    cache = str(paths.engine_dir / "cache")
    return {**os.environ, "HF_HUB_OFFLINE": "1", "GRPC_VERBOSITY": "NONE", "XDG_CACHE_HOME": cache,
            "HF_HOME": cache}  # fmt: skip


def ensure_engine(
    paths: Paths,
    *,
    allowed_roots: Sequence[Path] = (),
    model: str | None = None,
    timeout: float = 60.0,
    stop: threading.Event | None = None,
) -> str:
    """Return the local engine's target, starting the engine detached if nothing answers there.

    `stop` (set when the caller is quitting) ends the wait at once.
    """
    target = paths.engine_target
    if is_serving(target):
        return target
    proc = _spawn(paths, allowed_roots, model)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stop is not None and stop.is_set():
            raise EngineStartError("Stopped while waiting for the local engine to start.")
        if is_serving(target, timeout=0.25):
            return target
        if proc.poll() is None:
            continue
        if "already running" not in _last_line(paths.engine_log):
            # Another client may have won the race to start it; only then is this exit harmless.
            if is_serving(target, timeout=1.0):
                return target
            raise EngineStartError(_not_started(paths, proc.returncode))
        if _lock_is_free(paths.engine_dir / "engine.lock"):
            # The engine that held the folder died while starting: start one again.
            proc = _spawn(paths, allowed_roots, model)
        else:
            time.sleep(0.1)
    raise EngineStartError(
        f"The local engine did not answer at {target} within {timeout:g} s; see {paths.engine_log}."
    )
