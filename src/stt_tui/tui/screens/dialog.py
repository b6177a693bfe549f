"""The base of every dialog: a modal screen with a footer of its own.

Without one, the footer of the screen beneath stays in view and lists keys (s Submit, space Mark) that do
nothing while the dialog is open; the dialog's own footer shows the keys that work in it.
"""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType

from stt_tui.tui.widgets.key_footer import KeyFooter


class Dialog(ModalScreen[ScreenResultType]):
    """A modal screen that shows its own keys at the bottom."""

    def on_mount(self) -> None:
        # Textual calls each class's on_mount along the MRO, so a dialog's own on_mount needs no super().
        self.mount(KeyFooter())
