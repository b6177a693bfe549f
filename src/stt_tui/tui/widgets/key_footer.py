"""The footer, with the key that lists every other key always in view."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTIONS = ("app.help", "help")


class KeyFooter(Footer):
    """Textual's footer with its help key kept at the right, beside the palette's: on a narrow terminal
    the other keys that do not fit are left out whole (not shown as a bare key with its name cut off),
    `? Help` never is."""

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

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)  # once the new keys are laid out

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit)

    def on_show(self, event: events.Show) -> None:
        # Keys recomposed under a dialog were never laid out: measure them once the screen is back.
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        if not self.region:  # on a screen not in view nothing is laid out to measure
            return
        # Faded out, not hidden: a hidden widget leaves the layout map, and its place could not be measured
        # again when the terminal grows.
        kept = self.query_children("#footer-right")
        limit = kept.first().region.x if kept else self.region.right
        for key in self.children:
            if key.id != "footer-right":
                fits = key.region.right <= limit
                key.styles.opacity = key.styles.text_opacity = 1.0 if fits else 0.0
                key.disabled = not fits  # its place is blank: a click there must not run its action
