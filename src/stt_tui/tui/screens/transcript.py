"""The transcript of one job: per channel or merged, word timings on demand, search, export, copy."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from stt_tui.audio.playback import PlaybackError, play
from stt_tui.jobs.model import Job
from stt_tui.outputs.export import Utterance, channels_of, select, to_txt
from stt_tui.outputs.formatting import file_label
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.shared.wording import plural, printable
from stt_tui.tui.widgets.key_footer import KeyFooter
from stt_tui.tui.widgets.phrase_rows import matching, utterance_row


class TranscriptScreen(Screen[None]):
    """Receives a job and its phrases; asks the app to export through a message."""

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="transcript.close"),
        Binding("slash", "search", "Search", id="transcript.search"),
        Binding("n", "next_match", "Next", id="transcript.next-match"),
        Binding("N", "previous_match", "Previous", show=False, id="transcript.previous-match"),
        Binding("c", "cycle_channel", "Channel", id="transcript.cycle-channel"),
        Binding("w", "toggle_words", "Word times", id="transcript.toggle-words"),
        Binding("e", "export", "Export", id="transcript.export"),
        Binding("y", "copy", "Copy", id="transcript.copy"),
        Binding("f2", "edit", "Edit", show=False, tooltip="Correct the phrase (Enter on it too)",
                id="transcript.edit"),
        Binding("u", "undo", "Undo", show=False, tooltip="The phrase as it was recognized again",
                id="transcript.undo"),
        Binding("a", "name", "Name", show=False, tooltip="Name the phrase's channel or speaker",
                id="transcript.name"),
        Binding("p", "play", "Play", show=False, tooltip="Play the audio from the phrase (p again: stop)",
                id="transcript.play"),
        Binding("j", "phrase(1)", "Down", show=False, id="transcript.down"),
        Binding("k", "phrase(-1)", "Up", show=False, id="transcript.up"),
        Binding("g", "phrase_at(0)", "First", show=False, id="transcript.first"),
        Binding("G", "phrase_at(-1)", "Last", show=False, id="transcript.last"),
        Binding("ctrl+d", "phrase(10)", "Page down", show=False, id="transcript.page-down"),
        Binding("ctrl+u", "phrase(-10)", "Page up", show=False, id="transcript.page-up"),
    ]

    channel: reactive[int | None] = reactive(None, init=False)  # None: all channels merged
    words: reactive[bool] = reactive(False, init=False)
    search_text: reactive[str] = reactive("", init=False)

    @dataclass
    class ExportRequested(Message):
        """Export this job (the app asks where)."""

        job: Job
        channels: list[int]

    @dataclass
    class Edited(Message):
        """The phrases as they read after a correction or a name was saved."""

        items: list[Utterance]

    def __init__(
        self, job: Job, items: list[Utterance], service: Service | None = None, at: int | None = None
    ) -> None:
        """`service`: where corrections are saved (None: the transcript is read only); `at`: the phrase
        (numbered in time order) to open at."""
        super().__init__()
        self.job = job
        self.items = items
        self.channels = channels_of(items)
        self.service = service
        self.at = at
        self._editing: tuple[str, int] | None = None  # ("text", phrase) or ("name", channel)
        self._playing: threading.Event | None = None  # set to stop what is playing

    def compose(self) -> ComposeResult:
        yield Static(id="transcript-title", markup=False)
        yield Input(placeholder="search the transcript (enter: next match, esc: done)", id="search")
        yield OptionList(id="phrases", markup=False)
        yield Input(id="editor")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one("#editor", Input).display = False
        self._render_phrases()
        phrases = self.query_one(OptionList)
        if self.at is not None and 0 <= self.at < len(self.items):
            phrases.highlighted = self.at
        phrases.focus()

    def shown(self) -> list[Utterance]:
        return select(self.items, self.channel)

    def _render_phrases(self) -> None:
        items = self.shown()
        labelled = self.channel is None and len(self.channels) > 1
        phrases = self.query_one(OptionList)
        highlighted = phrases.highlighted
        phrases.clear_options()
        phrases.add_options(
            [
                Option(utterance_row(u, labelled=labelled, words=self.words, query=self.search_text))
                for u in items
            ]
        )
        if items:
            phrases.highlighted = min(highlighted or 0, len(items) - 1)
        self._render_title()

    def _render_title(self) -> None:
        kind = "speaker" if any(u.speaker for u in self.items) else "channel"
        view = f"all {kind}s" if self.channel is None else f"{kind} {self.channel}"
        if len(self.channels) <= 1:
            view = "mono" if self.channels else "empty"
        parts = [f"#{self.job.id} {file_label(self.job)}", view, plural(len(self.shown()), "phrase")]
        if self.search_text:
            hits = len(matching(self.shown(), self.search_text))
            parts.append(f"{plural(hits, 'match')} for '{printable(self.search_text)}'")
        if not self.items:
            parts.append("the service returned no speech")
        self.query_one("#transcript-title", Static).update(" · ".join(parts))

    def watch_channel(self) -> None:
        self._render_phrases()

    def watch_words(self) -> None:
        self._render_phrases()

    def watch_search_text(self) -> None:
        self._render_phrases()

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

    # --- hearing it ------------------------------------------------------------------------------

    @dataclass
    class Played(Message):
        """How far the audio has played (None: it stopped), or why it cannot play."""

        seconds: float | None
        problem: str | None = None

    def action_play(self) -> None:
        if self._playing is not None:
            self._playing.set()
            self._playing = None
            return
        current = self._current()
        if current is None or self.service is None:
            self.notify("There is no phrase to play from here.", severity="warning")
            return
        self._playing = threading.Event()
        self._play(self.service, current[1].start, self._playing)

    @work(thread=True, group="play", exit_on_error=False, description="play the audio")
    def _play(self, service: Service, start: float, stop: threading.Event) -> None:
        last = [start]

        def position(seconds: float) -> None:
            if seconds - last[0] >= 0.2:  # a message a fifth of a second: enough to follow along
                last[0] = seconds
                self.post_message(self.Played(seconds))

        try:
            play(service.audio_of(self.job), start, stop, position)
        except (PlaybackError, *EXPECTED_FAILURES) as exc:
            self.post_message(self.Played(None, str(exc)))
            return
        self.post_message(self.Played(None))

    @on(Played)
    def _played(self, event: Played) -> None:
        if event.seconds is None:
            self._playing = None
            if event.problem:
                self.notify(event.problem, severity="warning", timeout=10)
            return
        shown = self.shown()
        playing = max((i for i, u in enumerate(shown) if u.start <= event.seconds), default=None)
        if playing is not None:
            self.query_one(OptionList).highlighted = playing  # the view follows the phrase being played

    def on_unmount(self) -> None:
        if self._playing is not None:
            self._playing.set()

    # --- corrections ----------------------------------------------------------------------------

    def _current(self) -> tuple[int, Utterance] | None:
        """The highlighted phrase and its number in the whole transcript."""
        index = self.query_one(OptionList).highlighted
        shown = self.shown()
        if index is None or not 0 <= index < len(shown):
            return None
        u = shown[index]
        return next(n for n, item in enumerate(self.items) if item is u), u

    @on(OptionList.OptionSelected, "#phrases")
    def action_edit(self) -> None:
        current = self._current()
        if current is not None:
            self._edit(("text", current[0]), current[1].text, f"correct phrase {current[0] + 1}")

    def action_name(self) -> None:
        current = self._current()
        if current is not None:
            u = current[1]
            default = f"{'Speaker' if u.speaker else 'Channel'} {u.channel}"
            self._edit(("name", u.channel), u.name, f"a name for {default} (empty: {default})")

    def _edit(self, what: tuple[str, int], text: str, placeholder: str) -> None:
        if self.service is None:
            self.notify("This transcript cannot be changed here.", severity="warning")
            return
        self._editing = what
        editor = self.query_one("#editor", Input)
        editor.placeholder = f"{placeholder}; Enter saves, Esc cancels"
        editor.value = text
        editor.display = True
        editor.focus()

    def _stop_editing(self) -> None:
        self._editing = None
        self.query_one("#editor", Input).display = False
        self.query_one(OptionList).focus()

    @on(Input.Submitted, "#editor")
    def _editor_submitted(self, event: Input.Submitted) -> None:
        what, service = self._editing, self.service
        self._stop_editing()
        if what is not None and service is not None:
            self._save(service, what, event.value)

    def action_undo(self) -> None:
        current = self._current()
        if current is not None and current[1].edited and self.service is not None:
            self._save(self.service, ("text", current[0]), "")  # empty: as recognized

    @work(thread=True, group="corrections", exit_on_error=False, description="save a correction")
    def _save(self, service: Service, what: tuple[str, int], text: str) -> None:
        kind, number = what
        try:
            items = service.correct(self.job, number, text) if kind == "text" else service.rename(
                self.job, number, text
            )
        except EXPECTED_FAILURES as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(self.Edited(items))

    @on(Edited)
    def _edited(self, event: Edited) -> None:
        self.items = event.items
        self._render_phrases()

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value.strip()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        # Enter leaves the box for the phrases, so `n`/`N` go on to the next matches (not into the box).
        box = self.query_one("#search", Input)
        box.display = bool(box.value)
        self.query_one(OptionList).focus()
        self.action_next_match()

    def _jump(self, step: int) -> None:
        hits = matching(self.shown(), self.search_text)
        if not self.search_text:
            self.action_search()
            return
        if not hits:
            self.notify(f"No phrase contains '{self.search_text}'.", severity="warning")
            return
        current = self.query_one(OptionList).highlighted
        current = -1 if current is None else current
        if step > 0:
            target = next((i for i in hits if i > current), hits[0])
        else:
            target = next((i for i in reversed(hits) if i < current), hits[-1])
        self.query_one(OptionList).highlighted = target

    def action_phrase(self, step: int) -> None:
        phrases = self.query_one(OptionList)
        if phrases.option_count:
            current = phrases.highlighted or 0
            phrases.highlighted = max(0, min(current + step, phrases.option_count - 1))

    def action_phrase_at(self, index: int) -> None:
        phrases = self.query_one(OptionList)
        if phrases.option_count:
            phrases.highlighted = index % phrases.option_count

    def action_next_match(self) -> None:
        self._jump(+1)

    def action_previous_match(self) -> None:
        self._jump(-1)

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

    def view_text(self) -> str:
        """The transcript as shown (this channel, or all merged with labels), as plain text."""
        return to_txt(self.shown(), self.channel is None and len(self.channels) > 1)

    def action_copy(self) -> None:
        text = self.view_text()
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {len(text):,} characters to the clipboard.")
