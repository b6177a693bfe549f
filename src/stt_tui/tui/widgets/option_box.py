"""A checkbox whose state is in its glyphs, not only in their colour."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox


class OptionBox(Checkbox):
    """`▐X▌` when on, `▐ ▌` when off: readable on a 16-colour terminal, with NO_COLOR, in a screen
    reader or a copy of the screen (Textual's Checkbox draws the X in both states, only coloured apart)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._show_mark()

    def watch_value(self) -> None:
        self._show_mark()
        super().watch_value()

    def _show_mark(self) -> None:
        # BUTTON_INNER is the glyph the toggle draws inside its button; per instance, it follows the value.
        self.BUTTON_INNER = "X" if self.value else " "
