"""Searching a transcript: the words typed highlighted in its phrases, n and N from match to match."""

from __future__ import annotations

from textual import on
from textual.widgets import Input, OptionList

from stt_tui.tui.screens.transcript_view import TranscriptView
from stt_tui.tui.widgets.phrase_rows import matching


class TranscriptSearch(TranscriptView):
    def action_search(self) -> None:
        self._on_phrases()
        self._open_search()

    def _open_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        self.set_focus(box)  # at once: the letters typed right after / are the query's, not keys

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
            self._open_search()
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

    def action_next_match(self) -> None:
        self._jump(+1)

    def action_previous_match(self) -> None:
        self._jump(-1)
