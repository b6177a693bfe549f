"""Choosing the profile (backend) new jobs go to and whose jobs are polled."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from stt_tui.tui.screens.dialog import Dialog
from stt_tui.tui.widgets.pick_list import PickList


def profile_prompt(row: dict[str, Any], current: str) -> Text:
    """One profile as a list entry: name, backend, and what is missing if it is not ready (pure)."""
    text = Text()
    text.append(row["name"], style="bold")
    if row["name"] == current:
        text.append("  (in use)", style="italic")
    text.append(f"\n  {row['backend']}")
    if row.get("api"):
        text.append(f" (API {row['api']})", style="dim")
    if row.get("bucket"):
        text.append(f"\n  bucket {row['bucket']}")
    if row.get("credentials"):
        text.append(f"\n  {row['credentials']}", style="dim")
    if row.get("problem"):
        text.append(f"\n  not ready: {row['problem']}", style="bold red")
    return text


class ProfileScreen(Dialog[str | None]):
    """Lists the profiles with their state; Enter picks one."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="profiles.cancel")]

    def __init__(self, rows: list[dict[str, Any]], current: str, config_path: str) -> None:
        super().__init__()
        self.rows, self.current, self.config_path = rows, current, config_path

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("[b]Profile[/b]: where new jobs go, and whose jobs are polled")
            yield PickList(
                *(Option(profile_prompt(row, self.current), id=row["name"]) for row in self.rows),
                id="profiles",
                markup=False,
            )
            yield Static(f"Enter uses the highlighted one. Add or fix profiles in {self.config_path}",
                         classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        names = [row["name"] for row in self.rows]
        if self.current in names:
            options.highlighted = names.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
