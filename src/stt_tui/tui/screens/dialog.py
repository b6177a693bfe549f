"""The base of every dialog: a modal screen with a footer of its own.

Without one, the footer of the screen beneath stays in view and lists keys (s Submit, space Mark) that do
nothing while the dialog is open; the dialog's own footer shows the keys that work in it.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, ScreenResultType

from stt_tui.tui.notifying import NotifyingApp
from stt_tui.tui.widgets.key_footer import KeyFooter


class Dialog(ModalScreen[ScreenResultType]):
    """A modal screen that shows its own keys at the bottom."""

    # The app's own keys stop at a modal screen, help's among them: F1 is bound again here (not ?, which a
    # dialog's text field takes as a character).
    BINDINGS = [Binding("f1", "app.help", "Help", tooltip="Every key, this dialog's first", id="dialog.help")]

    def on_mount(self) -> None:
        # Textual calls each class's on_mount along the MRO, so a dialog's own on_mount needs no super().
        self.mount(KeyFooter())

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """The dialog's own word (a field it refuses) is shown over it; the app's others wait until it
        is closed (NotifyingApp.on_notify)."""
        if isinstance(self.app, NotifyingApp):
            self.app.notify(message, title=title, severity=severity, timeout=timeout, dialog=True)
        else:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
