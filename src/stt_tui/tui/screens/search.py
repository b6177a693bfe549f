"""Searching every transcript: type, and the phrases that match come, best first, each with its job, file,
time in the audio and the words around the match; Enter opens that transcript at that phrase."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from stt_tui.jobs.model import clock
from stt_tui.service import MARK_END, MARK_START, Hit
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.shared.wording import plural, printable
from stt_tui.tui.keys_in_order import KeyHold, hold_keys
from stt_tui.tui.screens.dialog import Dialog
from stt_tui.tui.widgets.pick_list import PickList
from stt_tui.tui.widgets.text_box import TextBox

LIMIT = 100
HELP = 'Every word must be there; "quoted words" in order; budg* any ending; lang:ru after:2026-11-01'


def hit_text(hit: Hit) -> Text:
    """One hit as a list entry: where it is, then its words, the matches marked (pure)."""
    name = hit.file_path.rsplit("/", 1)[-1] or "(imported)"
    who = f"{'spk' if hit.speaker else 'ch'}{hit.channel}"
    text = Text(f"#{hit.job_id} {printable(name)} {clock(hit.start)} {who}  ", style="dim")
    for n, part in enumerate(hit.snippet.replace(MARK_END, MARK_START).split(MARK_START)):
        text.append(printable(part), style="reverse bold" if n % 2 else "")
    return text


class SearchScreen(Dialog[Hit | None]):
    """Dismisses with the hit chosen, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="search.close"),
        Binding("down", "to_hits", "To the phrases", show=False, id="search.to-hits"),
    ]

    @dataclass
    class Found(Message):
        """The hits for a query (the newest query wins)."""

        query: str
        hits: list[Hit]
        error: str | None = None
        ranked: bool = True  # False: the newest first, the best ones to follow

    @dataclass
    class Counted(Message):
        """How much of the history is in the index."""

        indexed: int
        stored: int

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.hits: list[Hit] = []
        self._hits_for: str | None = None  # the query self.hits answer
        self._ranked_for: str | None = None  # the query whose last answer (the best hits) came
        # Enter pressed in the query before its hits came (typed fast): the best one opens once in, and
        # the keys typed after that Enter wait for it (else they went on into the query).
        self._waiting: KeyHold | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="search"):
            yield Label("Search every transcript", classes="title")
            yield TextBox(placeholder="words to find", id="query")
            yield Static(HELP, id="search-note", classes="hint", markup=False)
            yield PickList(id="hits", markup=False)

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self._count()

    @work(thread=True, exit_on_error=False, description="count the index")
    def _count(self) -> None:
        self.post_message(self.Counted(*self.service.index_counts()))

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        if event.indexed < event.stored:
            self.query_one("#search-note", Static).update(
                f"The index is being built: {event.indexed:,} of {plural(event.stored, 'transcript')} so "
                "far; the others are found once they are in."
            )

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._stop_waiting()
        self._ranked_for = None  # the text changed: its best hits are to come, even if it was typed before
        self._search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False, description="search")
    def _search(self, query: str) -> None:
        if not query.strip():
            self.post_message(self.Found(query, []))
            return
        worker = get_current_worker()
        try:
            # The newest matches at once, then the best ones (ranking looks at every match).
            newest = self.service.search(query, LIMIT, ranked=False)
            self.post_message(self.Found(query, newest, ranked=False))
            if not worker.is_cancelled:
                self.post_message(self.Found(query, self.service.search(query, LIMIT)))
        except EXPECTED_FAILURES as exc:
            self.post_message(self.Found(query, [], str(exc)))
        except Exception:
            # Whatever failed, the hits of the text before must not stand under this one.
            self.post_message(self.Found(query, [], "This search failed."))
            raise

    @on(Found)
    def _found(self, event: Found) -> None:
        if event.query != self.query_one("#query", Input).value:
            return  # an answer to what was typed before
        self.hits, self._hits_for = event.hits, event.query
        if event.ranked:
            self._ranked_for = event.query
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        hits.add_options([Option(hit_text(hit)) for hit in event.hits])
        order = "best first" if event.ranked else "newest first; ranking…"
        found = f"{plural(len(event.hits), 'phrase')}, {order}; Enter opens the first, ↓ to choose one"
        note = event.error or (found if event.hits else "")
        if event.query.strip() and not event.hits and not event.error:
            note = "No phrase matches."
        self.query_one("#search-note", Static).update(note or HELP)
        if event.hits:
            hits.highlighted = 0
        if self._waiting is not None and event.ranked:  # Enter opens the best one, which this brings
            if event.hits and not self._waiting.came_late(self, "The best hits"):
                self.dismiss(event.hits[0])
            self._stop_waiting()  # nothing to go to, or the hit opening holds the keys now

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        hits = self.query_one("#hits", OptionList)
        if not self.is_current:
            return  # a second Enter of one read, after the first has opened the hit
        if self.hits and self._hits_for == event.value:
            self.dismiss(self.hits[hits.highlighted or 0])  # Enter opens the hit at once (↓ goes to them)
        elif self._waiting is None and event.value.strip() and self._ranked_for != event.value:
            self._waiting = hold_keys(self)  # the best hits are on their way (none: nothing is coming)

    def action_to_hits(self) -> None:
        if self.hits:
            self.query_one("#hits", OptionList).focus()

    @on(OptionList.OptionSelected, "#hits")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[event.option_index])
        self._stop_waiting()

    def _stop_waiting(self) -> None:
        """The keys held by an Enter go on, after what a dismissal set off (the hit's transcript takes a
        hold of its own in the meantime; released at once, a key could pass between the two)."""
        if (waiting := self._waiting) is not None:
            self._waiting = None
            self.app.call_next(waiting.release)

    def action_cancel(self) -> None:
        self.dismiss(None)
