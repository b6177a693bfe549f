"""Reading the job list by window: the ids in any order and filter (SQL sorts), then rows by id.

A view of 100,000 jobs holds their ids (a few hundred KB), not their rows: it reads the rows on screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from stt_tui.history.database import Database
from stt_tui.history.rows import JOB_COLUMNS, job_from_row
from stt_tui.jobs.columns import COLUMNS
from stt_tui.jobs.model import FINAL_STATES, Job, JobState

ORDERS = {column.key: column.sort for column in COLUMNS}  # the sort of each column of the list
OPEN = tuple(s.value for s in JobState if s not in FINAL_STATES)


def filter_sql(query: str) -> tuple[str, list[str]]:
    """A WHERE clause matching every word of `query` in what a row shows: number, state, file, id, options."""
    words = query.lower().split()
    if not words:
        return "1", []
    haystack = (
        "lower('#' || id || ' ' || state || ' ' || file_path || ' ' || COALESCE(operation_id, '') || ' ' "
        "|| options || ' ' || COALESCE(detected_language, ''))"
    )
    clauses = [f"{haystack} LIKE ? ESCAPE '\\'" for _ in words]
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    return " AND ".join(clauses), [f"%{w}%" for w in escaped]


class JobWindows(Database):
    def ordered_ids(self, sort: str, descending: bool, query: str = "", limit: int = -1) -> list[int]:
        """The ids of the jobs matching `query` (the first `limit`, or all), in the order of column `sort`
        (ties: newest first)."""
        where, args = filter_sql(query)
        direction = "DESC" if descending else "ASC"
        sql = f"SELECT id FROM jobs WHERE {where} ORDER BY {ORDERS[sort]} {direction}, id DESC LIMIT ?"
        return [r[0] for r in self._all(sql, (*args, limit))]

    def jobs_by_id(self, ids: Iterable[int]) -> dict[int, Job]:
        """The rows of these jobs (those that still exist), by id."""
        wanted = list(dict.fromkeys(ids))
        found: dict[int, Job] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._all(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id IN ({marks})", tuple(chunk)):
                job = job_from_row(row)
                found[job.id] = job
        return found

    def count_by_state(self) -> dict[JobState, int]:
        return {JobState(s): n for s, n in self._all("SELECT state, COUNT(*) FROM jobs GROUP BY state")}

    def audio_sent(self, since: float) -> list[tuple[str, str, float]]:
        """(profile, model, seconds) of audio sent since `since`, summed over channels as the service
        counts its limits; a job counts once it reached the service (it has an operation id)."""
        rows = self._all(
            "SELECT profile, COALESCE(json_extract(options, '$.model'), ''), "
            "SUM(COALESCE(audio_seconds, 0) * COALESCE(channels, 1)) FROM jobs "
            "WHERE operation_id IS NOT NULL AND created_at >= ? GROUP BY 1, 2 ORDER BY 1, 2",
            (since,),
        )
        return [(r[0], r[1] or "general", float(r[2] or 0.0)) for r in rows]

    def unfinished(self) -> list[Job]:
        """Jobs not in a final state (few, whatever the history's size): running or being submitted."""
        # IN, not NOT IN: the index on state finds these few among 100,000 rows without a scan.
        marks = ",".join("?" * len(OPEN))
        sql = f"SELECT {JOB_COLUMNS} FROM jobs WHERE state IN ({marks}) ORDER BY id DESC"
        return [job_from_row(r) for r in self._all(sql, OPEN)]
