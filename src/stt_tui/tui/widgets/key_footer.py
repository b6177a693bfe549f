"""The footer, with the key that lists every other key always in view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTIONS = ("app.help", "help")


class KeyFooter(Footer):
    """Textual's footer with its help key kept at the right, beside the palette's: on a narrow terminal
    the other keys are cut (they scroll), `? Help` never is."""

    def compose(self) -> ComposeResult:
        right: list[Widget] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (
                widget.action in HELP_ACTIONS or widget.has_class("-command-palette")
            ):
                right.append(widget.add_class("-right"))
            else:
                yield widget
        if right:
            yield HorizontalGroup(*right, id="footer-right")
