"""Totals: jobs by state, and audio hours sent per profile and model, today and this month."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from stt_tui.jobs.model import JobState
from stt_tui.outputs.totals import Totals
from stt_tui.tui.screens.dialog import Dialog


def hours(seconds: float) -> str:
    return f"{seconds / 3600:,.2f} h"


def totals_table(totals: Totals) -> Table:
    table = Table.grid(padding=(0, 2))
    for _ in range(4):
        table.add_column()
    table.add_row(Text("Jobs", style="bold underline"))
    for state in JobState:
        if totals.by_state.get(state):
            table.add_row(Text(state.value), Text(f"{totals.by_state[state]:,}"))
    table.add_row(Text("Audio sent (summed over channels)", style="bold underline"))
    table.add_row(Text("profile", style="dim"), Text("model", style="dim"), Text("today", style="dim"),
                  Text("this month", style="dim"))  # fmt: skip
    today = {(p, m): s for p, m, s in totals.today}
    for profile, model, seconds in totals.month:
        today_hours = hours(today.get((profile, model), 0.0))
        table.add_row(Text(profile), Text(model), Text(today_hours), Text(hours(seconds)))
    if not totals.month:
        table.add_row("nothing sent this month")
    return table


class TotalsScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q,t", "close", "Close", id="totals.close")]

    def __init__(self, totals: Totals) -> None:
        super().__init__()
        self.totals = totals

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(Text("Totals", style="bold"), classes="title")
            yield Static(totals_table(self.totals), id="totals", markup=False)

    def action_close(self) -> None:
        self.dismiss()
