"""Asks for a pattern of file names to mark: a glob (`*.wav`, `ep1?-*`) or words found in the name."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from stt_tui.tui.screens.dialog import Dialog


class PatternScreen(Dialog[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pattern.cancel")]

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Mark files in {self.folder}", classes="title", markup=False)
            yield Static("A glob such as *.wav or ep1?-*, or words found in the names.")
            yield Input(placeholder="pattern", id="pattern")

    @on(Input.Submitted, "#pattern")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
