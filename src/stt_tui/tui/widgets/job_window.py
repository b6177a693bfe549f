"""What the job list holds of the history: the ids in the order and filter asked for, and the rows read
so far, by id. The order is read whole in a worker (SQL sorts it), a first screenful before it when the
list opens; rows are read by primary key, a window at a time, as they scroll into view. No Textual here:
the list (job_list.py) draws what this holds."""

from __future__ import annotations

from collections.abc import Iterable

from stt_tui.jobs.model import Job
from stt_tui.tui.widgets.job_rows import JobSource

OrderKey = tuple[str, bool, str]  # sort column, descending, filter
HEAD = 200  # rows read first when a list opens, before its whole order


class JobWindow:
    def __init__(self) -> None:
        self.source: JobSource | None = None
        self.ids: list[int] = []
        self.rows: dict[int, Job] = {}  # the rows read so far, by id
        self.total = 0  # jobs in the history, whatever the filter
        self.shown: OrderKey | None = None  # the order and filter of the ids held
        self.partial = False  # only the first rows of the order are here; the whole follows

    def attach(self, source: JobSource, jobs: Iterable[Job] = ()) -> None:
        """Read from `source` from now on; `jobs` are rows already read (start-up)."""
        self.source = source
        self.rows.update((j.id, j) for j in jobs)

    def apply(self, changed: Iterable[Job], removed: Iterable[int]) -> None:
        """Rows changed or added, ids removed: what is held follows (the order is read again apart)."""
        for job_id in removed:
            self.rows.pop(job_id, None)
        self.rows.update((j.id, j) for j in changed)

    def wants_head(self, key: OrderKey) -> bool:
        """Whether a first screenful is worth reading before the whole order: when the list opens in the
        primary key's order (a big history's full order takes longer; other orders sort every row
        anyway, so a first part would cost as much as the whole)."""
        sort, _, query = key
        return not self.ids and sort == "id" and not query

    def read_order(self, key: OrderKey, limit: int = -1) -> tuple[list[int], int]:
        """(ids, total) for the order and filter of `key` (from a worker: this reads the history)."""
        if self.source is None:
            return [], 0
        ids = self.source.ordered_ids(*key, limit=limit)
        filtered = bool(key[2]) or limit >= 0
        return ids, self.source.count() if filtered else len(ids)

    def take(self, key: OrderKey, ids: list[int], total: int, partial: bool) -> None:
        """An order read for `key` is now the one held."""
        self.ids, self.shown, self.total, self.partial = ids, key, total, partial

    def read(self, ids: list[int]) -> dict[int, Job]:
        """The rows of these ids, read (by primary key, a few at most) when not held yet."""
        missing = [i for i in ids if i not in self.rows]
        if missing and self.source is not None:
            self.rows.update(self.source.jobs_by_id(missing))
        return {i: self.rows[i] for i in ids if i in self.rows}
