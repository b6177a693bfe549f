"""The job list: one row per job, updated cell by cell as jobs change; filter and sort."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from ...jobs import Job
from ...poller import PollPolicy
from .. import cells

WIDTHS = {"id": 4, "state": 10, "file": cells.FILE_WIDTH, "retention": 9, "time": 12, "audio": 8,
          "request": 18, "submitted": 11}  # fmt: skip


class JobTable(DataTable[str | Text]):
    """Receives jobs from its screen; posts what the user asks to do with the one under the cursor."""

    BINDINGS = [
        Binding("enter", "open", "Transcript", tooltip="Open the transcript of the job"),
        Binding("e", "export", "Export", tooltip="Export the transcript to a file"),
        Binding("r", "refresh_job", "Check now", show=False, tooltip="Ask the service about the job now"),
        Binding("c", "cancel_job", "Cancel job", show=False, tooltip="Ask the service to stop the job"),
        Binding("d", "forget_job", "Forget", show=False, tooltip="Remove the job and its stored result"),
        Binding("y", "copy_id", "Copy id", show=False, tooltip="Copy the operation id to the clipboard"),
        Binding("slash", "filter", "Filter", tooltip="Show only the jobs matching some words"),
        Binding("o", "sort", "Sort", tooltip="Cycle the order: newest, oldest, state, file, retention"),
    ]

    filter_text: reactive[str] = reactive("", init=False)
    sort_by: reactive[str] = reactive("newest", init=False)

    @dataclass
    class JobAction(Message):
        """The user asked for `action` (open, export, refresh, cancel, forget, copy_id) on a job."""

        action: str
        job: Job

    class FilterRequested(Message):
        """The user pressed the filter key."""

    @dataclass
    class SortChanged(Message):
        """The order of the rows changed."""

        sort_by: str

    def __init__(self, policy: PollPolicy, clock: Callable[[], float] = time.time, **kw: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kw)
        self.policy = policy
        self.clock = clock
        self.jobs: dict[int, Job] = {}
        self._ticking: set[int] = set()

    def on_mount(self) -> None:
        for key, label in cells.COLUMNS:
            self.add_column(label, key=key, width=WIDTHS[key])
        self.set_interval(1.0, self.tick)

    # --- data in ------------------------------------------------------------------------------

    def show_jobs(self, jobs: Iterable[Job]) -> None:
        """Replace everything (start-up)."""
        self.jobs = {j.id: j for j in jobs}
        self._ticking = {j.id for j in self.jobs.values() if cells.ticking(j)}
        self._rebuild()

    def apply(self, changed: Iterable[Job], removed: Iterable[int]) -> None:
        """Update rows in place; add and remove only the rows that come and go."""
        added = False
        for job_id in removed:
            self.jobs.pop(job_id, None)
            self._ticking.discard(job_id)
            if str(job_id) in self.rows:
                self.remove_row(str(job_id))
        now = self.clock()
        for job in changed:
            self.jobs[job.id] = job
            (self._ticking.add if cells.ticking(job) else self._ticking.discard)(job.id)
            key = str(job.id)
            shown = key in self.rows
            if not cells.matches(job, self.filter_text):
                if shown:
                    self.remove_row(key)
                continue
            if shown:
                self._update_row(job, now)
            else:
                values = cells.cells(job, now, self.policy)
                self.add_row(*(values[k] for k, _ in cells.COLUMNS), key=key)
                added = True
        if added or self.sort_by in ("state", "retention"):
            self._resort()

    def _update_row(self, job: Job, now: float, only: Iterable[str] | None = None) -> None:
        values = cells.cells(job, now, self.policy)
        row = self.get_row(str(job.id))
        for index, (column, _) in enumerate(cells.COLUMNS):
            if only is not None and column not in only:
                continue
            if str(row[index]) != str(values[column]) or getattr(row[index], "style", None) != getattr(
                values[column], "style", None
            ):
                self.update_cell(str(job.id), column, values[column])

    def tick(self) -> None:
        """Redraw the cells that change with the clock alone."""
        now = self.clock()
        for job_id in list(self._ticking):
            if str(job_id) in self.rows:
                self._update_row(self.jobs[job_id], now, only=("time", "retention"))

    def _rebuild(self) -> None:
        current = self.current_job()
        self.clear()
        now = self.clock()
        for job in cells.ordered(self.jobs.values(), self.sort_by, self.filter_text, now):
            values = cells.cells(job, now, self.policy)
            self.add_row(*(values[k] for k, _ in cells.COLUMNS), key=str(job.id))
        if current is not None and str(current.id) in self.rows:
            self.move_cursor(row=self.get_row_index(str(current.id)))

    def _resort(self) -> None:
        key, reverse = cells.sort_key(self.sort_by, self.clock())
        current = self.current_job()
        self.sort("id", key=lambda cell: key(self.jobs[int(cell)]), reverse=reverse)
        if current is not None and str(current.id) in self.rows:
            self.move_cursor(row=self.get_row_index(str(current.id)), animate=False)

    def watch_filter_text(self) -> None:
        self._rebuild()

    def watch_sort_by(self, sort_by: str) -> None:
        self._resort()
        self.post_message(self.SortChanged(sort_by))

    # --- the job under the cursor ---------------------------------------------------------------

    def current_job(self) -> Job | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return self.jobs.get(int(key.value or 0))

    def _post(self, action: str) -> None:
        job = self.current_job()
        if job is None:
            self.notify("There is no job here yet.", severity="warning")
            return
        self.post_message(self.JobAction(action, job))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._post("open")

    def action_open(self) -> None:
        self._post("open")

    def action_export(self) -> None:
        self._post("export")

    def action_refresh_job(self) -> None:
        self._post("refresh")

    def action_cancel_job(self) -> None:
        self._post("cancel")

    def action_forget_job(self) -> None:
        self._post("forget")

    def action_copy_id(self) -> None:
        self._post("copy_id")

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_sort(self) -> None:
        self.sort_by = cells.SORTS[(cells.SORTS.index(self.sort_by) + 1) % len(cells.SORTS)]
