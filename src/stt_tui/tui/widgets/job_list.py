"""The job list: a view over the history that paints only the rows on screen (Textual's Line API).

It holds the ids of the jobs in the order and filter asked for (read in a worker, the sort done by
SQL) and the rows it has read, by id; a row is read when it scrolls into view. 100,000 jobs open as
fast as ten. The cursor stays on its job when rows come and go, except at the top: there it stays at
the top, so that new and urgent jobs are in view unless the user has moved away on purpose.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partialmethod
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from stt_tui.jobs.model import Job
from stt_tui.jobs.schedule import PollPolicy
from stt_tui.tui import cells
from stt_tui.tui.widgets.job_rows import (
    SORT_KEYS,
    Column,
    JobSource,
    column_at,
    header_text,
    hint_text,
    layout,
    row_text,
)

HEAD = 200  # rows read first when a list opens, before its whole order
HEAD_PAINT_SECONDS = 0.05


class JobList(ScrollView, can_focus=True):
    """Receives a source and the history's changes; posts what the user asks of the job under the cursor."""

    BINDINGS = [
        Binding("enter", "open", "Transcript", tooltip="Open the transcript of the job", id="jobs.open"),
        Binding("space", "mark", "Mark", tooltip="Mark or unmark the job: actions act on the marked jobs",
                id="jobs.mark"),
        Binding("asterisk,ctrl+a", "mark_all", "Mark all", show=False, tooltip="Mark every job shown",
                id="jobs.mark-all"),
        Binding("U", "unmark_all", "Unmark all", show=False, tooltip="Clear the marks", id="jobs.unmark-all"),
        Binding("e", "export", "Export", tooltip="Export the transcript(s) to files", id="jobs.export"),
        Binding("i", "details", "Details", tooltip="Everything about the job, and its stored operation",
                id="jobs.details"),
        Binding("v", "pager", "Pager", show=False, tooltip="Read the transcript in $PAGER", id="jobs.pager"),
        Binding("E", "editor", "Editor", show=False, tooltip="Open the transcript (txt) in $EDITOR",
                id="jobs.editor"),
        Binding("r", "refresh_job", "Check now", show=False, tooltip="Ask the service about the job(s) now",
                id="jobs.refresh-job"),
        Binding("c", "cancel_job", "Cancel job", show=False, tooltip="Ask the service to stop the job(s)",
                id="jobs.cancel-job"),
        Binding("d", "forget_job", "Forget", show=False, tooltip="Remove the job(s) and stored results",
                id="jobs.forget-job"),
        Binding("R", "resubmit", "Re-submit", show=False, tooltip="Send the audio again, with new options",
                id="jobs.resubmit"),
        Binding("y", "copy_id", "Copy id", show=False, tooltip="Copy the operation id(s) to the clipboard",
                id="jobs.copy-id"),
        Binding("slash", "filter", "Filter", tooltip="Show only the jobs matching some words",
                id="jobs.filter"),
        Binding("o", "sort", "Sort", tooltip="Sort by the next column: #, state, file, retention, time...",
                id="jobs.sort"),
        Binding("O", "reverse", "Reverse", show=False, tooltip="Reverse the order", id="jobs.reverse"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="jobs.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="jobs.down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="jobs.page-up"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="jobs.page-down"),
        Binding("home,g", "first", "First", show=False, tooltip="The first row", id="jobs.first"),
        Binding("end,G", "last", "Last", show=False, tooltip="The last row", id="jobs.last"),
    ]  # fmt: skip
    COMPONENT_CLASSES = {"job-list--header", "job-list--cursor"}
    DEFAULT_CSS = """
    JobList { overflow-x: hidden; }
    JobList > .job-list--header { text-style: bold; background: $panel; }
    JobList > .job-list--cursor { background: $accent 40%; }
    JobList:focus > .job-list--cursor { background: $accent; }
    """

    sort_by: reactive[str] = reactive("id", init=False)
    descending: reactive[bool] = reactive(True, init=False)
    filter_text: reactive[str] = reactive("", init=False)
    cursor: reactive[int] = reactive(0, init=False)

    @dataclass
    class JobAction(Message):
        """The user asked for `action` on jobs: the marked ones, else the one under the cursor."""

        action: str
        jobs: list[Job]

        @property
        def job(self) -> Job:
            return self.jobs[0]

    @dataclass
    class MarksChanged(Message):
        """How many jobs are marked."""

        count: int

    class FilterRequested(Message):
        """The user pressed the filter key."""

    @dataclass
    class SortChanged(Message):
        """The order of the rows changed."""

        sort_by: str
        descending: bool

    @dataclass
    class Ordered(Message):
        """The ids in an order read by the list's worker (for the order and filter named)."""

        key: tuple[str, bool, str]
        ids: list[int]
        total: int
        partial: bool = False  # the first rows only; the whole order follows

    @dataclass
    class Counted(Message):
        """How many rows are shown (matching the filter) of how many jobs there are."""

        shown: int
        total: int

    def __init__(self, policy: PollPolicy, clock: Callable[[], float] = time.time, **kw: Any) -> None:
        super().__init__(**kw)
        self.policy = policy
        self.clock = clock
        self.source: JobSource | None = None
        self.ids: list[int] = []
        self.jobs: dict[int, Job] = {}  # the rows read so far, by id
        self.total = 0  # jobs in the history, whatever the filter
        self.shown: tuple[str, bool, str] | None = None  # the order and filter of the rows on screen
        self._moved = False  # the user moved the cursor off the top on purpose
        self.marked: set[int] = set()
        self._id_digits = 1
        self._partial = False  # only the first rows of the order are here; the whole follows
        self._when_whole: list[Callable[[], None]] = []  # keys that mean the whole list, pressed meanwhile
        self._layout: tuple[tuple[int, int], list[Column]] | None = None

    # --- data in ------------------------------------------------------------------------------

    def attach(self, source: JobSource, jobs: Iterable[Job] = ()) -> None:
        """Read from `source` from now on; `jobs` are rows already read (start-up)."""
        self.source = source
        self.jobs.update((j.id, j) for j in jobs)
        self.reorder()

    def apply(self, changed: Iterable[Job], removed: Iterable[int]) -> None:
        """Rows changed or added, ids removed: update what is held, read the order again if it moved."""
        for job_id in removed:
            self.jobs.pop(job_id, None)
        self.jobs.update((j.id, j) for j in changed)
        self.reorder()

    @work(thread=True, exclusive=True, group="job-order", exit_on_error=False, description="order jobs")
    def reorder(self) -> None:
        if self.source is None:
            return
        key = (self.sort_by, self.descending, self.filter_text)
        if not self.ids and self.sort_by == "id" and not self.filter_text:
            # The first screenful at once, by the primary key (a big history's full order takes longer;
            # other orders sort every row anyway, so a first part would cost as much as the whole).
            head = self.source.ordered_ids(*key, limit=HEAD)
            if len(head) == HEAD:
                self.post_message(self.Ordered(key, head, self.source.count(), partial=True))
                time.sleep(HEAD_PAINT_SECONDS)  # let the event loop paint it before the long read
        ids = self.source.ordered_ids(*key)
        self.post_message(self.Ordered(key, ids, self.source.count() if self.filter_text else len(ids)))

    @on(Ordered)
    def _ordered(self, event: Ordered) -> None:
        if event.key != (self.sort_by, self.descending, self.filter_text):
            return  # an answer to an order asked before the last change
        current = self.current_job()
        at_top = self.cursor == 0 and not self._moved
        self.ids = event.ids
        self.shown = event.key
        self._id_digits = len(str(max(self.ids, default=0)))
        self.virtual_size = Size(self._view.width, len(self.ids) + 1)
        if at_top or current is None:
            self.cursor = 0
        else:
            try:
                self.cursor = self.ids.index(current.id)
            except ValueError:
                self.cursor = 0  # its job left the list (forgotten, or filtered out)
        self._keep_cursor_in_view()
        self.refresh()
        self.total = event.total
        self.post_message(self.Counted(event.total if event.partial else len(self.ids), event.total))
        self._partial = event.partial
        while not self._partial and self._when_whole:
            self._when_whole.pop(0)()

    def _wait_for_whole(self, action: Callable[[], None]) -> bool:
        """Whether `action` (the last row, mark all) waits to run on the whole order, not its head."""
        if self._partial:
            self._when_whole.append(action)
        return self._partial

    # --- reading ------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.ids)

    def current_job(self) -> Job | None:
        if not 0 <= self.cursor < len(self.ids):
            return None
        return self._rows([self.ids[self.cursor]]).get(self.ids[self.cursor])

    def _rows(self, ids: list[int]) -> dict[int, Job]:
        """The rows of these ids, read (by primary key, a few at most) when not held yet."""
        missing = [i for i in ids if i not in self.jobs]
        if missing and self.source is not None:
            self.jobs.update(self.source.jobs_by_id(missing))
        return {i: self.jobs[i] for i in ids if i in self.jobs}

    # --- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._view.width
        columns = self._columns(width)
        if y == 0:
            return self._header(columns, width)
        index = self.scroll_offset.y + y - 1
        if not self.ids and self.shown is not None and y in (2, 3):
            return self._hint(y - 2, width)
        if index >= len(self.ids):
            return Strip.blank(width, self.rich_style)
        if (job_id := self.ids[index]) not in self.jobs:  # the window in one read, not row by row
            self._rows(self.ids[self.scroll_offset.y : self.scroll_offset.y + self._view.height])
        job = self.jobs.get(job_id)
        if job is None:
            return Strip.blank(width, self.rich_style)
        text = self._row_text(job, columns)
        style = self.rich_style
        if index == self.cursor:
            style = style + self.get_component_rich_style("job-list--cursor")
        return Strip(list(text.render(self.app.console)), width).simplify().apply_style(style)

    def _columns(self, width: int) -> list[Column]:
        """The columns for this width and these ids, worked out once per change (not once per line)."""
        key = (width, self._id_digits)
        if self._layout is None or self._layout[0] != key:
            self._layout = (key, layout(width, self._id_digits))
        return self._layout[1]

    def _hint(self, line: int, width: int) -> Strip:
        text = hint_text(line, self.filter_text, width)
        return Strip(list(text.render(self.app.console)), width).apply_style(self.rich_style)

    def _header(self, columns: list[Column], width: int) -> Strip:
        text = header_text(columns, self.sort_by, self.descending, width)
        style = self.rich_style + self.get_component_rich_style("job-list--header")
        return Strip(list(text.render(self.app.console)), width).apply_style(style)

    def _row_text(self, job: Job, columns: list[Column]) -> Text:
        values = cells.cells(job, self.clock(), self.policy)
        return row_text(job, values, columns, job.id in self.marked, self._view.width)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)  # elapsed times and countdowns move with the clock

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self._view.width, len(self.ids) + 1)

    @property
    def _view(self) -> Size:
        """The room the rows have: the widget less its scrollbar."""
        return self.scrollable_content_region.size

    # --- the cursor ---------------------------------------------------------------------------

    def watch_cursor(self) -> None:
        self._keep_cursor_in_view()
        self.refresh()

    def _keep_cursor_in_view(self) -> None:
        rows = max(self._view.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False)

    def _move(self, index: int) -> None:
        self.cursor = max(0, min(index, len(self.ids) - 1))
        self._moved = self.cursor != 0

    def action_cursor(self, step: int) -> None:
        self._move(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max((self._view.height - 1) // 2, 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        if not self._wait_for_whole(self.action_last):
            self._move(len(self.ids) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y > 0:  # a row
            self._move(self.scroll_offset.y + event.y - 1)
        elif (column := column_at(self._columns(self._view.width), event.x)) is not None:
            self.action_sort_by(column)  # a column's name: sort by it (again: reverse)

    # --- order and filter ---------------------------------------------------------------------

    def watch_sort_by(self) -> None:
        self.reorder()
        self.post_message(self.SortChanged(self.sort_by, self.descending))

    def watch_descending(self) -> None:
        self.reorder()
        self.post_message(self.SortChanged(self.sort_by, self.descending))

    def watch_filter_text(self) -> None:
        self.reorder()

    def action_sort(self) -> None:
        self.action_sort_by(SORT_KEYS[(SORT_KEYS.index(self.sort_by) + 1) % len(SORT_KEYS)])

    def action_sort_by(self, column: str) -> None:
        """Sort by `column` in its natural direction (newest first by number, else ascending); by the
        column already sorted by, reverse."""
        if column == self.sort_by:
            self.descending = not self.descending
            return
        with self.prevent(self.SortChanged):
            self.descending = column == "id"
        self.sort_by = column

    def action_reverse(self) -> None:
        self.descending = not self.descending

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    # --- actions on the job under the cursor --------------------------------------------------

    def selection(self) -> list[Job]:
        """The marked jobs still in the history (in list order), else the one under the cursor."""
        if self.marked:
            kept = [i for i in self.ids if i in self.marked] or sorted(self.marked)
            rows = self._rows(kept)
            return [rows[i] for i in kept if i in rows]
        job = self.current_job()
        return [job] if job is not None else []

    def _post(self, action: str, one: bool = False) -> None:
        jobs = self.selection()
        if one:
            jobs = [job] if (job := self.current_job()) is not None else []
        if not jobs:
            self.notify("There is no job here yet.", severity="warning")
            return
        self.post_message(self.JobAction(action, jobs))

    def _marks_changed(self) -> None:
        self.refresh()
        self.post_message(self.MarksChanged(len(self.marked)))

    def action_mark(self) -> None:
        job = self.current_job()
        if job is not None:
            self.marked.symmetric_difference_update({job.id})
            self._marks_changed()
            self._move(self.cursor + 1)

    def action_mark_all(self) -> None:
        if not self._wait_for_whole(self.action_mark_all):
            shown = set(self.ids)
            self.marked = set() if shown <= self.marked else self.marked | shown
            self._marks_changed()

    def action_unmark_all(self) -> None:
        self.marked.clear()
        self._marks_changed()

    # What the keys ask of the jobs: the selection (the marked ones, else the cursor's), or only the
    # cursor's job where acting on several makes no sense.
    action_open = partialmethod(_post, "open", True)
    action_details = partialmethod(_post, "details", True)
    action_pager = partialmethod(_post, "pager", True)
    action_editor = partialmethod(_post, "editor", True)
    action_export = partialmethod(_post, "export")
    action_resubmit = partialmethod(_post, "resubmit")
    action_refresh_job = partialmethod(_post, "refresh")
    action_cancel_job = partialmethod(_post, "cancel")
    action_forget_job = partialmethod(_post, "forget")
    action_copy_id = partialmethod(_post, "copy_id")
