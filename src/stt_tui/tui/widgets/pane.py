"""A pane of the main screen: it acts through the service its screen hands it (attributes down), and says
in one notification what went wrong in a worker of its own (workers tell only the node that runs them)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.reactive import var
from textual.widget import Widget

from stt_tui.service.facade import Service
from stt_tui.tui.workers import SaysWorkerFailures

STILL_READING = "The history is still being read; try again in a moment."


def say_unavailable(node: Widget | App[Any], load_error: str | None) -> None:
    """Why there is no service to act through: the history is still being read, or cannot be."""
    if load_error is not None:
        node.notify(load_error, title="The history cannot be used", severity="error")
    else:
        node.notify(STILL_READING, severity="warning")


class Pane(SaysWorkerFailures, Widget):
    """`service` is None until the history is open; `load_error` says why it never will be."""

    service: var[Service | None] = var(None)
    load_error: var[str | None] = var(None)

    def usable_service(self) -> Service | None:
        """The service, or None after saying why there is none yet."""
        if self.service is None:
            say_unavailable(self, self.load_error)
        return self.service
