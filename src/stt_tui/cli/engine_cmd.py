"""`stt-tui engine status` and `engine stop`: the local profile's engine, seen and stopped from outside."""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from stt_tui.cli.output import EXIT_OK, EXIT_SERVICE, err, out, out_json
from stt_tui.jobs.model import format_duration
from stt_tui.shared.paths import Paths, resolve_paths

STOP_SECONDS = 15.0


def read_status(paths: Paths) -> dict[str, Any] | None:
    """The running engine's status file, if an engine that is still alive wrote it."""
    try:
        status = json.loads(paths.engine_status.read_text())
        pid = int(status["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return status if _is_engine(pid) else None


def _is_engine(pid: int) -> bool:
    """Whether `pid` is alive and is an stt-tui engine (a reused pid is someone else's process)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    joined = b" ".join(cmdline)
    return (b"stt_tui" in joined or b"stt-tui" in joined) and b"serve" in cmdline


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def status_lines(status: dict[str, Any], now: float, rss: int | None) -> list[str]:
    """What `engine status` prints (pure)."""
    idle_exit = float(status.get("idle_exit_seconds") or 0)
    idle = float(status.get("idle_seconds") or 0)
    rows = [
        ("address", str(status["address"])),
        ("pid", str(status["pid"])),
        ("model", str(status["model"])),
        ("queue", f"{status['queued_jobs']} queued · {status['running_jobs']} running"),
        ("uptime", format_duration(now - float(status["started_at"]))),
        ("memory", "unknown" if rss is None else f"{rss / 1e6:.0f} MB resident"),
        (
            "idle exit",
            f"after {format_duration(idle_exit)} idle (idle for {format_duration(idle)})"
            if idle_exit
            else "never (started by hand: runs until stopped)",
        ),
    ]
    return [f"{key.ljust(9)}  {value}" for key, value in rows]


def engine_status(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    status = read_status(paths)
    if status is None:
        if args.json:
            out_json({"running": False})
        else:
            out("The local engine is not running; it starts when a job needs it.")
        return EXIT_OK
    rss = rss_bytes(int(status["pid"]))
    if args.json:
        out_json({"running": True, **status, "rss_bytes": rss})
    else:
        for line in status_lines(status, time.time(), rss):
            out(line)
    return EXIT_OK


def engine_stop(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    status = read_status(paths)
    if status is None:
        err("The local engine is not running.")
        return EXIT_OK
    pid = int(status["pid"])
    os.kill(pid, signal.SIGTERM)  # it puts running work back in its queue, to go on next start
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline:
        if not _is_engine(pid) or _zombie(pid):
            err(f"stopped the local engine (pid {pid}); it starts again when a job needs it.")
            return EXIT_OK
        time.sleep(0.1)
    err(f"The local engine (pid {pid}) did not stop within {STOP_SECONDS:g} s.")
    return EXIT_SERVICE


def _zombie(pid: int) -> bool:
    """Exited, not yet collected by its parent (a client that started it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
