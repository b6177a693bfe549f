"""Totals: jobs by state, and audio hours sent per profile and model, today and this month."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from stt_tui.jobs.model import JobState
from stt_tui.outputs.totals import Totals


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
