"""The engine as a process: how long it has been idle, and the status file clients read.

An engine started on demand exits by itself once it has had no queued or running work and no calls for
its idle time; `engine.json` in its data folder says what it is doing, for `stt-tui engine status`
(clients never open the engine's database).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from stt_tui.shared.paths import ENGINE_STATUS_FILE
from stt_tui.shared.private import replace_private

STATUS_FILE = ENGINE_STATUS_FILE
STATUS_SECONDS = 5.0


def idle_seconds(now: float, last_call: float, last_busy: float) -> float:
    """Seconds since the engine last had a call or work (pure)."""
    return max(0.0, now - max(last_call, last_busy))


class Activity(grpc.ServerInterceptor):  # type: ignore[type-arg]
    """Notes the time of every call: a client asking about a job keeps the engine up."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self.last_call = monotonic()

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        self.last_call = self._monotonic()
        return continuation(handler_call_details)


def write_status(data_dir: Path, status: dict[str, Any]) -> None:
    """The status file, replaced whole (a reader never sees half of it); private like the rest."""
    replace_private(data_dir / STATUS_FILE, json.dumps(status).encode())


def remove_status(data_dir: Path) -> None:
    (data_dir / STATUS_FILE).unlink(missing_ok=True)
