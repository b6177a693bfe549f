"""The job list's view: a window on the history that paints only the rows on screen (Textual's Line API).

It holds the ids of the jobs in the order and filter asked for (read in a worker, the sort done by
SQL) and the rows it has read, by id (job_window.py); a row is read when it scrolls into view. 100,000
jobs open as fast as ten. The cursor stays on its job when rows come and go, except at the top: there it
stays at the top, so that new and urgent jobs are in view unless the user has moved away on purpose.
What the keys ask of the jobs is job_list.py's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
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
    hint_lines,
    layout,
    row_text,
)
from stt_tui.tui.widgets.job_window import HEAD, JobWindow

HEAD_PAINT_SECONDS = 0.05


class JobView(ScrollView, can_focus=True):
    """Receives a source and the history's changes; draws the rows, the cursor and the marks."""

    COMPONENT_CLASSES = {"job-list--header", "job-list--cursor"}
    DEFAULT_CSS = """
    JobView { overflow-x: hidden; }
    JobView > .job-list--header { text-style: bold; background: $panel; }
    JobView > .job-list--cursor { background: $accent 40%; }
    JobView:focus > .job-list--cursor { background: $accent; }
    """

    sort_by: reactive[str] = reactive("id", init=False)
    descending: reactive[bool] = reactive(True, init=False)
    filter_text: reactive[str] = reactive("", init=False)
    cursor: reactive[int] = reactive(0, init=False)
    sending: reactive[bool] = reactive(False, init=False)  # a file is being read and sent

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
        self.window = JobWindow()
        self._moved = False  # the user moved the cursor off the top on purpose
        self.marked: set[int] = set()  # drawn here; what the keys mark is JobList's
        self._id_digits = 1
        self._when_whole: list[Callable[[], None]] = []  # keys that mean the whole list, pressed meanwhile
        self._layout: tuple[tuple[int, int], list[Column]] | None = None

    # --- data in ------------------------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        """The ids of the rows, in the order and filter asked for."""
        return self.window.ids

    @property
    def jobs(self) -> dict[int, Job]:
        """The rows read so far, by id."""
        return self.window.rows

    @property
    def shown(self) -> tuple[str, bool, str] | None:
        """The order and filter of the rows held (None: not read yet)."""
        return self.window.shown

    @property
    def total(self) -> int:
        """Jobs in the history, whatever the filter."""
        return self.window.total

    def attach(self, source: JobSource, jobs: Iterable[Job] = ()) -> None:
        """Read from `source` from now on; `jobs` are rows already read (start-up)."""
        self.window.attach(source, jobs)
        self.reorder()

    def apply(self, changed: Iterable[Job], removed: Iterable[int]) -> None:
        """Rows changed or added, ids removed: update what is held, read the order again if it moved."""
        self.window.apply(changed, removed)
        self.reorder()

    @work(thread=True, exclusive=True, group="job-order", exit_on_error=False, description="order jobs")
    def reorder(self) -> None:
        if self.window.source is None:
            return
        key = (self.sort_by, self.descending, self.filter_text)
        if self.window.wants_head(key):
            head, total = self.window.read_order(key, limit=HEAD)
            if len(head) == HEAD:
                self.post_message(self.Ordered(key, head, total, partial=True))
                time.sleep(HEAD_PAINT_SECONDS)  # let the event loop paint it before the long read
        ids, total = self.window.read_order(key)
        self.post_message(self.Ordered(key, ids, total))

    @on(Ordered)
    def _ordered(self, event: Ordered) -> None:
        if event.key != (self.sort_by, self.descending, self.filter_text):
            return  # an answer to an order asked before the last change
        current = self.current_job()
        at_top = self.cursor == 0 and not self._moved
        self.window.take(event.key, event.ids, event.total, event.partial)
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
        self.post_message(self.Counted(event.total if event.partial else len(self.ids), event.total))
        while not self.window.partial and self._when_whole:
            self._when_whole.pop(0)()

    def _wait_for_whole(self, action: Callable[[], None]) -> bool:
        """Whether `action` (the last row, mark all) waits to run on the whole order, not its head."""
        if self.window.partial:
            self._when_whole.append(action)
        return self.window.partial

    # --- reading ------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.ids)

    def current_job(self) -> Job | None:
        if not 0 <= self.cursor < len(self.ids):
            return None
        return self.read_rows([self.ids[self.cursor]]).get(self.ids[self.cursor])

    def read_rows(self, ids: list[int]) -> dict[int, Job]:
        """The rows of these ids, read (by primary key, a few at most) when not held yet."""
        return self.window.read(ids)

    # --- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._view.width
        columns = self._columns(width)
        if y == 0:
            return self._header(columns, width)
        index = self.scroll_offset.y + y - 1
        if not self.ids and self.shown is not None and y >= 2:
            return self._hint(y - 2, width)
        if index >= len(self.ids):
            return Strip.blank(width, self.rich_style)
        if (job_id := self.ids[index]) not in self.jobs:  # the window in one read, not row by row
            self.read_rows(self.ids[self.scroll_offset.y : self.scroll_offset.y + self._view.height])
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
        lines = hint_lines(self.filter_text, width, self.sending)
        if line >= len(lines):
            return Strip.blank(width, self.rich_style)
        text = lines[line]
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
