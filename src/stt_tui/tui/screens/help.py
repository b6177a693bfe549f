"""Every key of the app, read from the bindings themselves so the list cannot go stale."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from stt_tui.tui.screens.dialog import Dialog


def key_rows(
    bindings: Iterable[BindingType],
    display: Callable[[Binding], str],
    keymap: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(keys, what they do and the binding's id) for each binding, the keys as remapped in `keymap`
    (config.toml's [keymap]); several keys of one binding share a row."""
    rows = []
    for b in bindings:
        if not isinstance(b, Binding):
            b = Binding(*b)
        key = (keymap or {}).get(b.id or "", b.key)
        keys = ", ".join(display(Binding(k.strip(), b.action)) for k in key.split(","))
        what = b.tooltip or b.description or b.action.replace("_", " ")
        rows.append((keys, what + (f"  [{b.id}]" if b.id else "")))
    return rows


class HelpScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        # Bound apart and not shown: taking the place of the dialogs' F1, it came first in the footer.
        Binding("f1", "close", "Close", show=False),
    ]

    def __init__(
        self, sections: Sequence[tuple[str, Sequence[BindingType]]], keymap: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap or {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(Text("Keys", style="bold"), classes="title")
            for title, bindings in self.sections:
                table = Table.grid(padding=(0, 2))
                table.add_column(style="bold", min_width=12)
                table.add_column()
                for keys, what in key_rows(bindings, self.app.get_key_display, self.keymap):
                    table.add_row(Text(keys), Text(what))
                yield Static(Text(title, style="bold underline"), classes="section")
                yield Static(table, markup=False)
            yield Static(
                "Ctrl+P opens the command palette, where every action can be found by name. "
                "Tab moves between the file browser and the job list.",
                classes="section",
            )

    def action_close(self) -> None:
        self.dismiss()
