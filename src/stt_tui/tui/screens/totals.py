"""Totals: jobs by state, and audio hours sent per profile and model, today and this month."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from stt_tui.history import History
from stt_tui.jobs.model import JobState


@dataclass(frozen=True)
class Totals:
    by_state: Mapping[JobState, int]
    today: list[tuple[str, str, float]]  # (profile, model, seconds summed over channels)
    month: list[tuple[str, str, float]]


def read_totals(history: History, now: float) -> Totals:
    """Read the figures (off the event loop)."""
    day, month = day_and_month_start(now)
    return Totals(history.count_by_state(), history.audio_sent(day), history.audio_sent(month))


def day_and_month_start(now: float) -> tuple[float, float]:
    """Local midnight today and on the first of this month, as timestamps (pure)."""
    local = datetime.fromtimestamp(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.timestamp(), day.replace(day=1).timestamp()


def hours(seconds: float) -> str:
    return f"{seconds / 3600:,.2f} h"


def totals_table(totals: Totals) -> Table:
    table = Table.grid(padding=(0, 2))
    for _ in range(4):
        table.add_column()
    table.add_row(Text("Jobs", style="bold underline"))
    for state in JobState:
        if totals.by_state.get(state):
            table.add_row(state.value, f"{totals.by_state[state]:,}")
    table.add_row(Text("Audio sent (summed over channels)", style="bold underline"))
    table.add_row(Text("profile", style="dim"), Text("model", style="dim"), Text("today", style="dim"),
                  Text("this month", style="dim"))  # fmt: skip
    today = {(p, m): s for p, m, s in totals.today}
    for profile, model, seconds in totals.month:
        table.add_row(profile, model, hours(today.get((profile, model), 0.0)), hours(seconds))
    if not totals.month:
        table.add_row("nothing sent this month")
    return table


class TotalsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,t", "close", "Close", id="totals.close")]

    def __init__(self, totals: Totals) -> None:
        super().__init__()
        self.totals = totals

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(Text("Totals", style="bold"), classes="title")
            yield Static(totals_table(self.totals), id="totals")

    def action_close(self) -> None:
        self.dismiss()
