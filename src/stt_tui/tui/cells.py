"""How a job reads in the job table: its cells as Rich text, and which jobs to warn about. Pure, no Textual
(the columns are jobs/columns.py's; the order and the filter are the history's: history/windows.py)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from stt_tui.jobs import columns
from stt_tui.jobs.model import Job, expiry_level
from stt_tui.jobs.schedule import PollPolicy


def retention_cell(job: Job, now: float) -> Text:
    """The RETENTION cell (jobs/columns.py) as the list draws it."""
    return Text(*columns.retention_cell(job, now))


def time_cell(job: Job, now: float, policy: PollPolicy) -> Text:
    """The TIME cell (jobs/columns.py) as the list draws it."""
    return Text(*columns.time_cell(job, now, policy))


def cells(job: Job, now: float, policy: PollPolicy) -> dict[str, str | Text]:
    """Every cell of a job's row, by column key, from the columns' registry."""
    return {column.key: Text(*column.cell(job, now, policy)) for column in columns.COLUMNS}


def expiry_alerts(jobs: Iterable[Job], now: float, warned: set[int]) -> list[Job]:
    """Jobs that entered their last 12 h without a stored result and were not warned about yet."""
    return [j for j in jobs if j.id not in warned and expiry_level(j, now) == "warning"]
