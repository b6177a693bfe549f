"""Everything about one job (as k9s "describe" does): its row, what was sent, and the stored Operation."""

from __future__ import annotations

import json
import time

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from stt_tui.jobs.model import Job
from stt_tui.outputs.formatting import job_details
from stt_tui.service import NO_EDITS, Edits
from stt_tui.shared.wording import printable
from stt_tui.tui.screens.dialog import Dialog


def stored_operation(text: str) -> tuple[str, bool]:
    """The stored operation laid out to read, and whether it is damaged (then as it is) (pure)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False), False
    except ValueError:
        return text, True


class DetailsScreen(Dialog[None]):
    """Receives the job and its stored Operation (JSON, or None when nothing was stored)."""

    BINDINGS = [
        Binding("escape,q,i", "close", "Close", id="details.close"),
        Binding("j", "scroll(1)", "Down", show=False, id="details.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="details.up"),
    ]

    def __init__(self, job: Job, operation_json: str | None, edits: Edits = NO_EDITS) -> None:
        super().__init__()
        self.job, self.operation_json, self.edits = job, operation_json, edits

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="details"):
            yield Static(Text(f"Job #{self.job.id}", style="bold"), classes="title")
            facts = job_details(self.job, time.time(), self.edits)
            yield Static(printable(facts, lines=True), id="details-facts", markup=False)
            yield Static(Text("Stored operation", style="bold underline"), classes="section")
            if self.operation_json is None:
                yield Static("Nothing stored yet: the job has not finished.", classes="hint")
            else:
                pretty, damaged = stored_operation(self.operation_json)
                if damaged:
                    yield Static("It is damaged (not JSON): shown as it is stored.", classes="hint")
                yield Static(Syntax(printable(pretty, lines=True), "json", word_wrap=True), id="details-json",
                             markup=False)

    def action_scroll(self, step: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=step, animate=False)

    def action_close(self) -> None:
        self.dismiss()
