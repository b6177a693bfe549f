"""The transcript of one job as shown: its phrases per channel or merged, word timings on demand, the
search's matches highlighted, and a title that says what is in view. The screen's concerns (playing,
correcting, searching: transcript_*.py) build on it; transcript.py puts them together."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from stt_tui.jobs.columns import file_label
from stt_tui.jobs.model import Job
from stt_tui.outputs.export import Utterance, channels_of, select, to_txt
from stt_tui.service.facade import Service
from stt_tui.shared.wording import plural, printable
from stt_tui.tui.widgets.key_footer import KeyFooter
from stt_tui.tui.widgets.phrase_rows import matching, utterance_row
from stt_tui.tui.widgets.text_box import CorrectionBox, TextBox


class TranscriptView(Screen[None]):
    channel: reactive[int | None] = reactive(None, init=False)  # None: all channels merged
    words: reactive[bool] = reactive(False, init=False)
    search_text: reactive[str] = reactive("", init=False)

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

    def compose(self) -> ComposeResult:
        yield Static(id="transcript-title", markup=False)
        yield TextBox(placeholder="search the transcript (enter: next match, esc: done)", id="search")
        yield OptionList(id="phrases", markup=False)
        yield Static(id="editor-label", markup=False)
        yield CorrectionBox(id="editor")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one("#editor", Input).display = False
        self.query_one("#editor-label", Static).display = False
        self._render_phrases()
        phrases = self.query_one(OptionList)
        if self.at is not None and 0 <= self.at < len(self.items):
            phrases.highlighted = self.at
        # At once (widget.focus() waits its turn): the keys typed right after Enter opened it (one read,
        # held for it by the job list) find the list focused, not the hidden search box.
        self.set_focus(phrases)

    def _on_phrases(self) -> None:
        """A priority key pressed elsewhere than on the list goes on to what has the focus."""
        if self.focused is not self.query_one(OptionList):
            raise SkipAction()

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

    def _current(self) -> tuple[int, Utterance] | None:
        """The highlighted phrase and its number in the whole transcript."""
        index = self.query_one(OptionList).highlighted
        shown = self.shown()
        if index is None or not 0 <= index < len(shown):
            return None
        u = shown[index]
        return next(n for n, item in enumerate(self.items) if item is u), u

    def view_text(self) -> str:
        """The transcript as shown (this channel, or all merged with labels), as plain text."""
        return to_txt(self.shown(), self.channel is None and len(self.channels) > 1)
