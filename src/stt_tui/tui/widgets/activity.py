"""Progress of the files being prepared and sent; hidden when nothing is."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label, ProgressBar

from stt_tui.shared.wording import printable

STAGES = {"hashing": "Reading", "converting": "Converting", "copying": "Copying", "uploading": "Uploading"}


class Activity(Horizontal):
    """Shows one file's stage and progress; the screen sets `label` and `fraction` (None hides it)."""

    label: reactive[str] = reactive("", init=False)
    fraction: reactive[float | None] = reactive(None, init=False)

    def compose(self) -> ComposeResult:
        yield Label(id="activity-label", markup=False)
        yield ProgressBar(total=100, show_eta=False, id="activity-bar")

    def on_mount(self) -> None:
        self.display = False

    def watch_label(self, label: str) -> None:
        self.query_one("#activity-label", Label).update(label)

    def watch_fraction(self, fraction: float | None) -> None:
        self.display = fraction is not None
        if fraction is not None:
            self.query_one(ProgressBar).update(progress=round(fraction * 100, 1))


def activity_label(name: str, stage: str, queued: int) -> str:
    more = f" (+{queued} queued)" if queued else ""
    return f"{STAGES.get(stage, stage.capitalize())} {printable(name)}{more}"
