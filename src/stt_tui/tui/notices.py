"""What the app says about jobs on its own: an ending, a result nearing its expiry. Pure."""

from __future__ import annotations

from textual.notifications import SeverityLevel

from stt_tui.jobs.model import Job, JobState, format_duration, seconds_left
from stt_tui.outputs.formatting import file_label
from stt_tui.outputs.notify import summary

__all__ = ["ending", "expiring", "refusal_text", "summary"]

Notice = tuple[str, SeverityLevel]


def ending(job: Job) -> Notice:
    """A job reached a final state."""
    name = f"Job #{job.id} ({file_label(job) if job.file_path else job.operation_id})"
    if job.state == JobState.DONE:
        return f"{name} is done; the transcript is saved locally.", "information"
    if job.state == JobState.CANCELLED:
        return f"{name} was cancelled.", "information"
    return f"{name} {job.state.value}: {job.last_error}", "error"


def refusal_text(refusals: list[tuple[str, str]], limit: int = 6) -> str:
    """The files a batch could not send, each with why, in one notification (pure)."""
    lines = [error if error.startswith(name) else f"{name}: {error}" for name, error in refusals[:limit]]
    if len(refusals) > limit:
        lines.append(f"and {len(refusals) - limit} more")
    return "\n".join(lines)


def expiring(job: Job, now: float) -> Notice:
    """A job entered its last hours without a stored result: say how long is left."""
    left = format_duration(seconds_left(job, now) or 0)
    return f"Job #{job.id}'s result is not saved yet, and the service forgets it in {left}.", "warning"
