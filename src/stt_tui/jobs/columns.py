"""The job list's columns, each in one place: its key, header, width, cell and sort.

The one registry that the TUI's list (header, cells, the sort key), the history's sort (SQL) and the
preferences (a remembered sort) all read, so that a column is added here and nowhere else. Pure and
Textual-free: a cell is plain text and a style name (the TUI makes it a `Text`); a sort is an SQL
expression over the `jobs` table, ascending (the history runs it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from stt_tui.jobs.model import Job, JobState, expiry_level, format_duration, seconds_left
from stt_tui.jobs.schedule import PollPolicy, expected_work
from stt_tui.shared.wording import printable

FILE_WIDTH = 26  # a file's name is cut here before the column's own width


class Cell(NamedTuple):
    text: str
    style: str = ""


@dataclass(frozen=True)
class JobColumn:
    key: str
    header: str
    width: int  # 0: fitted (the number: its digits; the file: what is left)
    cell: Callable[[Job, float, PollPolicy], Cell]  # (job, now, policy)
    sort: str  # an SQL expression over `jobs`; its ascending order is what "ascending" means here


STATE_STYLES = {
    JobState.SUBMITTING: "bold blue",
    JobState.RUNNING: "bold yellow",
    JobState.DONE: "green",
    JobState.FAILED: "bold reverse red",  # a badge, still one when NO_COLOR strips the red
    JobState.EXPIRED: "red",
    JobState.CANCELLED: "dim",
}


def audio_text(job: Job) -> str:
    if job.audio_seconds is None:
        return "?"
    text = format_duration(job.audio_seconds)
    return f"{text}×{job.channels}" if job.channels and job.channels > 1 else text


def file_label(job: Job) -> str:
    """The file's name, safe to print (a name may hold escape sequences or newlines)."""
    return printable(job.file_path.rsplit("/", 1)[-1]) if job.file_path else "(imported)"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def retention_cell(job: Job, now: float, policy: PollPolicy | None = None) -> Cell:
    """✓ saved once the result is local; else the countdown, a warning in the last 12 h, expired after."""
    if job.has_transcript:
        return Cell("✓ saved", "green")
    level = expiry_level(job, now)
    if level is None:
        return Cell("-", "dim")
    if level == "expired":
        return Cell("expired", "bold red")
    left = format_duration(seconds_left(job, now) or 0)
    return Cell(f"! {left}", "bold dark_orange") if level == "warning" else Cell(left)


def time_cell(job: Job, now: float, policy: PollPolicy) -> Cell:
    """Running: elapsed and the expected total; finished: how long it took."""
    if job.state == JobState.SUBMITTING:
        return Cell("sending", "blue")
    if job.state == JobState.RUNNING:
        elapsed = format_duration(now - job.created_at)
        if job.options.deferred:
            return Cell(f"{elapsed}/≤24h")
        expected = format_duration(expected_seconds(job, policy), up=True)
        return Cell(f"{elapsed}/~{expected}")
    if job.done_at is not None and job.state == JobState.DONE and job.operation_id:
        return Cell(f"took {format_duration(job.done_at - job.created_at)}", "dim")
    return Cell("")


def expected_seconds(job: Job, policy: PollPolicy) -> float:
    """The recognition time stored with the job at submit; for older rows, by today's profile's speed."""
    if job.expected_seconds is not None:
        return job.expected_seconds
    return expected_work(job.audio_seconds, job.channels, policy)


def submitted_cell(job: Job) -> str:
    return datetime.fromtimestamp(job.created_at).strftime("%m-%d %H:%M")


# The file's name: what follows the last '/' (SQLite has no basename()).
_NAME = "replace(file_path, rtrim(file_path, replace(file_path, '/', '')), '')"
_HAS_RESULT = "EXISTS (SELECT 1 FROM results r WHERE r.job_id = jobs.id AND jobs.state = 'done')"
_STATE_RANK = "CASE state " + " ".join(f"WHEN '{s.value}' THEN {i}" for i, s in enumerate(JobState)) + " END"

# In the order shown; FILE takes what is left. The last columns go first when the list is narrow: the
# language stays longest, since it tells apart the jobs of one file done in several.
COLUMNS: tuple[JobColumn, ...] = (
    JobColumn("id", "#", 0, lambda job, now, policy: Cell(str(job.id)), "id"),
    JobColumn(
        "state",
        "STATE",
        10,
        lambda job, now, policy: Cell(job.state.value, STATE_STYLES[job.state]),
        _STATE_RANK,
    ),
    JobColumn(
        "file",
        "FILE",
        0,
        lambda job, now, policy: Cell(_clip(file_label(job), FILE_WIDTH)),
        f"lower({_NAME})",
    ),
    JobColumn(
        "language",
        "LANG",
        10,
        lambda job, now, policy: Cell(printable(job.language)),
        "lower(json_extract(options, '$.language')) || ' ' || COALESCE(detected_language, '')",
    ),
    JobColumn(
        "retention",
        "RETENTION",
        9,
        retention_cell,
        # Least time left first; saved, failed and cancelled ones (nothing left to lose) last.
        f"CASE WHEN {_HAS_RESULT} OR state IN ('failed', 'cancelled') OR expires_at IS NULL "
        "THEN 1e18 ELSE expires_at END",
    ),
    JobColumn("time", "TIME", 13, time_cell, "COALESCE(done_at, 1e18) - created_at"),
    JobColumn(
        "audio",
        "AUDIO",
        8,
        lambda job, now, policy: Cell(audio_text(job)),
        "COALESCE(audio_seconds, 0) * COALESCE(channels, 1)",
    ),
    JobColumn(
        "model",
        "MODEL",
        16,
        lambda job, now, policy: Cell(printable(job.options.model) or "-"),
        "json_extract(options, '$.model')",
    ),
    JobColumn("submitted", "SUBMITTED", 11, lambda job, now, policy: Cell(submitted_cell(job)), "created_at"),
)
KEYS = tuple(column.key for column in COLUMNS)
BY_KEY = {column.key: column for column in COLUMNS}
