"""What the app says about jobs on its own: an ending, a result nearing its expiry. Pure."""

from __future__ import annotations

from textual.notifications import SeverityLevel

from stt_tui.jobs.columns import file_label
from stt_tui.jobs.model import Job, JobState, format_duration, seconds_left
from stt_tui.outputs.notify import summary

__all__ = ["ending", "expiring", "refusal_text", "summary"]

NoticeText = tuple[str, SeverityLevel]


def ending(job: Job) -> NoticeText:
    """A job reached a final state."""
    name = f"Job #{job.id} ({file_label(job) if job.file_path else job.operation_id})"
    if job.state == JobState.DONE:
        return f"{name} is done; the transcript is saved locally.", "information"
    if job.state == JobState.CANCELLED:
        return f"{name} was cancelled.", "information"
    return f"{name} {job.state.value}: {job.last_error}", "error"


def refusal_text(refusals: list[tuple[str, str]], limit: int = 6) -> str:
    """The files a batch could not send, each with why, in one notification (pure). A reason shared by
    several files is said once, after their names (a profile without credentials refuses every file)."""
    names: dict[str, list[str]] = {}
    for name, error in refusals:
        names.setdefault(error, []).append(name)
    if len(names) == 1 and len(refusals) > 1:
        return next(iter(names))  # the title counts the files
    lines = []
    for error, files in list(names.items())[:limit]:
        if len(files) == 1:
            lines.append(error if error.startswith(files[0]) else f"{files[0]}: {error}")
        else:
            more = f" and {len(files) - 3} more" if len(files) > 3 else ""
            lines.append(f"{', '.join(files[:3])}{more}: {error}")
    if len(names) > limit:
        return "\n".join([*lines, f"and {len(names) - limit} more"])
    return "\n".join(lines)


def expiring(job: Job, now: float) -> NoticeText:
    """A job entered its last hours without a stored result: say how long is left."""
    left = format_duration(seconds_left(job, now) or 0)
    return f"Job #{job.id}'s result is not saved yet, and the service forgets it in {left}.", "warning"
