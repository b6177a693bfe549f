"""How a job reads in the job table: cell text and style, filtering and sorting. Pure, no Textual."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from rich.text import Text

from stt_tui.jobs.model import Job, JobState, expiry_level, format_duration, seconds_left
from stt_tui.jobs.schedule import PollPolicy, expected_work
from stt_tui.outputs.formatting import audio_text, file_label
from stt_tui.shared.wording import printable

COLUMNS = (
    ("id", "#"),
    ("state", "STATE"),
    ("file", "FILE"),
    ("retention", "RETENTION"),
    ("time", "TIME"),
    ("audio", "AUDIO"),
    ("request", "LANG/MODEL"),
    ("submitted", "SUBMITTED"),
)
FILE_WIDTH = 26

STATE_STYLES = {
    JobState.SUBMITTING: "bold blue",
    JobState.RUNNING: "bold yellow",
    JobState.DONE: "green",
    JobState.FAILED: "bold reverse red",  # a badge, still one when NO_COLOR strips the red
    JobState.EXPIRED: "red",
    JobState.CANCELLED: "dim",
}
SORTS = ("newest", "oldest", "state", "file", "retention")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def retention_cell(job: Job, now: float) -> Text:
    """✓ saved once the result is local; else the countdown, a warning in the last 12 h, expired after."""
    if job.has_transcript:
        return Text("✓ saved", style="green")
    level = expiry_level(job, now)
    if level is None:
        return Text("-", style="dim")
    if level == "expired":
        return Text("expired", style="bold red")
    left = format_duration(seconds_left(job, now) or 0)
    return Text(f"! {left}", style="bold dark_orange") if level == "warning" else Text(left)


def time_cell(job: Job, now: float, policy: PollPolicy) -> Text:
    """Running: elapsed and the expected total; finished: how long it took."""
    if job.state == JobState.SUBMITTING:
        return Text("sending", style="blue")
    if job.state == JobState.RUNNING:
        elapsed = format_duration(now - job.created_at)
        if job.options.deferred:
            return Text(f"{elapsed}/≤24h")
        expected = format_duration(expected_seconds(job, policy), up=True)
        return Text(f"{elapsed}/~{expected}")
    if job.done_at is not None and job.state == JobState.DONE and job.operation_id:
        return Text(f"took {format_duration(job.done_at - job.created_at)}", style="dim")
    return Text("")


def expected_seconds(job: Job, policy: PollPolicy) -> float:
    """The recognition time stored with the job at submit; for older rows, by today's profile's speed."""
    if job.expected_seconds is not None:
        return job.expected_seconds
    return expected_work(job.audio_seconds, job.channels, policy)


def submitted_cell(job: Job) -> str:
    return datetime.fromtimestamp(job.created_at).strftime("%m-%d %H:%M")


def request_cell(job: Job) -> str:
    return printable("/".join(x for x in (job.language, job.options.model) if x)) or "-"


def cells(job: Job, now: float, policy: PollPolicy) -> dict[str, str | Text]:
    """Every cell of a job's row, by column key."""
    return {
        "id": str(job.id),
        "state": Text(job.state.value, style=STATE_STYLES[job.state]),
        "file": _clip(file_label(job), FILE_WIDTH),
        "retention": retention_cell(job, now),
        "time": time_cell(job, now, policy),
        "audio": audio_text(job),
        "language": printable(job.language),
        "model": printable(job.options.model) or "-",
        "submitted": submitted_cell(job),
    }


def ticking(job: Job) -> bool:
    """Whether the row's cells change with the clock alone (elapsed time, retention countdown)."""
    return job.state in (JobState.SUBMITTING, JobState.RUNNING)


def matches(job: Job, query: str) -> bool:
    """A case-insensitive filter over what a row shows: number, state, file, operation id, language."""
    if not query:
        return True
    haystack = " ".join(
        (f"#{job.id}", job.state.value, job.file_path, job.operation_id or "", request_cell(job))
    ).lower()
    return all(word in haystack for word in query.lower().split())


_STATE_ORDER = {s: i for i, s in enumerate(STATE_STYLES)}


def sort_key(sort: str, now: float) -> tuple[Callable[[Job], Any], bool]:
    """(key, reverse) for one of SORTS."""
    if sort == "oldest":
        return (lambda j: j.id), False
    if sort == "state":
        return (lambda j: (_STATE_ORDER[j.state], -j.id)), False
    if sort == "file":
        return (lambda j: (file_label(j).lower(), -j.id)), False
    if sort == "retention":
        # Least time left first; saved and finished ones last.
        return (lambda j: (seconds_left(j, now) is None, seconds_left(j, now) or 0, -j.id)), False
    return (lambda j: j.id), True


def ordered(jobs: Iterable[Job], sort: str, query: str, now: float) -> list[Job]:
    """The rows to show, in order."""
    key, reverse = sort_key(sort, now)
    return sorted((j for j in jobs if matches(j, query)), key=key, reverse=reverse)


def expiry_alerts(jobs: Iterable[Job], now: float, warned: set[int]) -> list[Job]:
    """Jobs that entered their last 12 h without a stored result and were not warned about yet."""
    return [j for j in jobs if j.id not in warned and expiry_level(j, now) == "warning"]
