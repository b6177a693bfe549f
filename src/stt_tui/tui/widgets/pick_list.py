"""A list in a dialog that moves with the job list's keys too (j/k, g/G, Ctrl+D/U), not the arrows only:
`j` Enter in the profile picker kept the profile in use, silently."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList


class PickList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("g", "first", "First", show=False, id="list.first"),
        Binding("G", "last", "Last", show=False, id="list.last"),
        Binding("ctrl+u", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("ctrl+d", "page_down", "Page down", show=False, id="list.page-down"),
    ]
