"""The transcript of one job: its keys, and the view (transcript_view.py) with playing, correcting and
searching (transcript_playback.py, transcript_editing.py, transcript_search.py) put together; export,
copy, channels and word timings here."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, OptionList

from stt_tui.jobs.model import Job
from stt_tui.tui.screens.transcript_editing import TranscriptEditing
from stt_tui.tui.screens.transcript_playback import TranscriptPlayback
from stt_tui.tui.screens.transcript_search import TranscriptSearch


class TranscriptScreen(TranscriptPlayback, TranscriptEditing, TranscriptSearch):
    """Receives a job and its phrases; asks the app to export through a message."""

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="transcript.close"),
        # The keys that open a box are priority bindings: they act as they arrive, so the keys typed right
        # after them (one read from the terminal) go into the box, not to the list (a plain binding runs
        # once the key has bubbled back up, behind them). Elsewhere than on the list they pass on.
        Binding("slash", "search", "Search", priority=True, id="transcript.search"),
        Binding("n", "next_match", "Next", id="transcript.next-match"),
        Binding("N", "previous_match", "Previous", show=False, id="transcript.previous-match"),
        # Before the keys a narrow footer drops first (80 columns end at Copy): playing is what a person
        # checking a phrase reaches for.
        Binding("p", "play", "Play", tooltip="Play the audio from the phrase (p again: stop)",
                id="transcript.play"),
        Binding("c", "cycle_channel", "Channel", id="transcript.cycle-channel"),
        Binding("w", "toggle_words", "Word times", id="transcript.toggle-words"),
        Binding("e", "export", "Export", id="transcript.export"),
        Binding("y", "copy", "Copy", id="transcript.copy"),
        Binding("f2,enter", "edit", "Edit", show=False, priority=True,
                tooltip="Correct the phrase (Enter on it too)", id="transcript.edit"),
        Binding("u", "undo", "Undo", show=False, tooltip="The phrase as it was recognized again",
                id="transcript.undo"),
        Binding("a", "name", "Name", show=False, priority=True,
                tooltip="Name the phrase's channel or speaker", id="transcript.name"),
        Binding("j", "phrase(1)", "Down", show=False, id="transcript.down"),
        Binding("k", "phrase(-1)", "Up", show=False, id="transcript.up"),
        Binding("g", "phrase_at(0)", "First", show=False, id="transcript.first"),
        Binding("G", "phrase_at(-1)", "Last", show=False, id="transcript.last"),
        Binding("ctrl+d", "phrase(10)", "Page down", show=False, id="transcript.page-down"),
        Binding("ctrl+u", "phrase(-10)", "Page up", show=False, id="transcript.page-up"),
    ]

    @dataclass
    class ExportRequested(Message):
        """Export this job (the app asks where)."""

        job: Job
        channels: list[int]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The keys that open a box act from the list only: in a box they are its own (Enter saves, / is a
        # character), and its footer says so, not `/ Search`.
        in_a_box = self.focused is not None and self.focused.id in ("editor", "search")
        return not (action in ("search", "edit", "name") and in_a_box)

    def action_close(self) -> None:
        if self._playing is not None:  # Esc stops the audio first
            self.action_play()
            return
        editor = self.query_one("#editor", Input)
        if editor.has_focus:  # escape leaves the correction unsaved
            self._stop_editing()
            return
        box = self.query_one("#search", Input)
        if box.has_focus:  # escape leaves the search box; the highlights stay
            box.display = False
            self.query_one(OptionList).focus()
            return
        self.dismiss()

    def action_phrase(self, step: int) -> None:
        phrases = self.query_one(OptionList)
        if phrases.option_count:
            current = phrases.highlighted or 0
            phrases.highlighted = max(0, min(current + step, phrases.option_count - 1))

    def action_phrase_at(self, index: int) -> None:
        phrases = self.query_one(OptionList)
        if phrases.option_count:
            phrases.highlighted = index % phrases.option_count

    def action_cycle_channel(self) -> None:
        if len(self.channels) <= 1:
            self.notify("The transcript has one channel.")
            return
        views: list[int | None] = [None, *self.channels]
        self.channel = views[(views.index(self.channel) + 1) % len(views)]

    def action_toggle_words(self) -> None:
        self.words = not self.words

    def action_export(self) -> None:
        self.post_message(self.ExportRequested(self.job, self.channels))

    def action_copy(self) -> None:
        text = self.view_text()
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {len(text):,} characters to the clipboard.")
