"""The one way the UI runs work off the event loop, and the one place a worker's failure is said.

A worker is a method decorated `@work(thread=True, group=..., exit_on_error=False, description=...)` on
the node that owns the work; it hands its result back by `post_message` (thread-safe, and never waits for
the event loop: `call_from_thread` does, and a quit under way waits for the thread). Textual tells a
worker's end only to the node that runs it, so each node that runs workers mixes in `SaysWorkerFailures`.
"""

from __future__ import annotations

from typing import Protocol

from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState


def failure_said(event: Worker.StateChanged) -> str | None:
    """What to say of a worker that ended in an error nobody expected (None: it did not)."""
    if event.state != WorkerState.ERROR:
        return None
    return f"{event.worker.description} failed: {event.worker.error}"


class _Notifies(Protocol):  # an app, a screen or a widget
    def notify(self, message: str, *, severity: SeverityLevel = ..., timeout: float | None = ...) -> None: ...


class SaysWorkerFailures:
    """Mixed into an app, a screen or a widget that runs workers."""

    def on_worker_state_changed(self: _Notifies, event: Worker.StateChanged) -> None:
        # Anything unexpected in a worker is one notification; the app keeps running.
        if (said := failure_said(event)) is not None:
            self.notify(said, severity="error", timeout=15)
