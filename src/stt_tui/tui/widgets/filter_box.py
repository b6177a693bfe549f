"""A filter box over a list: shown when asked for, hidden when left empty, the focus back to its list."""

from __future__ import annotations

from textual.widget import Widget

from stt_tui.tui.widgets.text_box import TextBox


class FilterBox(TextBox):
    def open(self) -> None:
        """Show the box and type into it."""
        self.display = True
        self.focus()

    def leave(self, owner: Widget) -> bool:
        """Esc in the box leaves it for `owner` (its list); Esc in the list clears an active filter.
        Whether Esc meant either."""
        if self.has_focus:
            self.display = bool(self.value)
            owner.focus()
            return True
        if owner.has_focus and self.value:
            self.value = ""
            self.display = False
            return True
        return False
