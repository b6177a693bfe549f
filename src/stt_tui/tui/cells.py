"""How a job reads in the job table: cell text and style, and which jobs to warn about. Pure, no Textual
(the order and the filter are the history's: history/windows.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text

from stt_tui.jobs.model import Job, JobState, expiry_level, format_duration, seconds_left
from stt_tui.jobs.schedule import PollPolicy, expected_work
from stt_tui.outputs.formatting import audio_text, file_label
from stt_tui.shared.wording import printable

FILE_WIDTH = 26

STATE_STYLES = {
    JobState.SUBMITTING: "bold blue",
    JobState.RUNNING: "bold yellow",
    JobState.DONE: "green",
    JobState.FAILED: "bold reverse red",  # a badge, still one when NO_COLOR strips the red
    JobState.EXPIRED: "red",
    JobState.CANCELLED: "dim",
}


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


def expiry_alerts(jobs: Iterable[Job], now: float, warned: set[int]) -> list[Job]:
    """Jobs that entered their last 12 h without a stored result and were not warned about yet."""
    return [j for j in jobs if j.id not in warned and expiry_level(j, now) == "warning"]
