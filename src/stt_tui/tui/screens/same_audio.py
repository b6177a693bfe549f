"""Asks before audio already transcribed with the same options, or on its way, is sent again."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from stt_tui.service import Known, Seen
from stt_tui.shared.wording import plural, printable
from stt_tui.tui.screens.dialog import Dialog


def same_audio_text(known: dict[Path, Known], total: int) -> str:
    """'2 of 10 files hold audio sent before with these options: talk.wav (job #3, transcribed), …'
    (pure)."""
    verb = "holds" if len(known) == 1 else "hold"  # 1 of 1 file holds; 2 of 10 files hold
    lines = [f"{len(known)} of {plural(total, 'file')} {verb} audio sent before with these options:"]
    for path, k in sorted(known.items())[:5]:
        state = "transcribed" if k.seen == Seen.DONE else "still running"
        lines.append(f"  {printable(path.name)}: job #{k.job.id}, {state}")
    if len(known) > 5:
        lines.append(f"  and {len(known) - 5} more")
    lines.append("Skipped, they get that job's transcript (beside them too, when auto-export is on).")
    return "\n".join(lines)


class SameAudioScreen(Dialog[bool | None]):
    """Dismisses with True (send them again), False (skip them) or None (send nothing)."""

    BINDINGS = [
        Binding("escape", "answer(None)", "Cancel", id="same-audio.cancel"),
        Binding("s", "answer(False)", "Skip them", id="same-audio.skip"),
        Binding("a", "answer(True)", "Send again", id="same-audio.again"),
    ]

    def __init__(self, known: dict[Path, Known], total: int) -> None:
        super().__init__()
        self.known, self.total = known, total

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Audio sent before", classes="title")
            yield Static(same_audio_text(self.known, self.total), id="same-audio-list", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Skip them", variant="primary", id="skip")
                yield Button("Send again", id="again")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#skip", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"again": True, "skip": False}.get(event.button.id or ""))

    def action_answer(self, again: bool | None) -> None:
        self.dismiss(again)
