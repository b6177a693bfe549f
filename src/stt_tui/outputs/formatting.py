"""How jobs read to a person or a script. Pure functions, shared by the CLI and the TUI."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from stt_tui.history.edits import NO_EDITS, Edits
from stt_tui.history.search import Hit
from stt_tui.jobs.columns import audio_text, file_label
from stt_tui.jobs.model import Job, JobState, clock, expiry_level, format_duration, seconds_left
from stt_tui.shared.wording import clause, plural, printable


def local_time(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def iso_time(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def retention_text(job: Job, now: float) -> str:
    """The retention countdown: 'saved' once the transcript is local, 'expired' after the deadline."""
    if job.has_transcript:
        return "saved"
    left = seconds_left(job, now)
    if left is None:
        return "-"
    return "expired" if left <= 0 else format_duration(left)


def no_transcript(job: Job) -> str:
    """The one sentence for asking a transcript of a job that has none."""
    why = f": {clause(printable(job.last_error))}" if job.last_error else ""
    return f"Job #{job.id} has no transcript: it is {job.state.value}{why}."


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(data: object) -> str:
    """JSON for scripts: readable non-ASCII text, but no raw C1 or bidi control character (JSON escapes
    only C0 by itself), so it is safe on a terminal too."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def job_to_dict(job: Job, now: float) -> dict[str, Any]:
    """The stable JSON shape of a job for scripts."""
    return {
        "id": job.id,
        "operation_id": job.operation_id,
        "state": job.state.value,
        "profile": job.profile,
        "api": job.api,
        "file": job.file_path or None,
        "file_size": job.file_size,
        "file_sha256": job.file_hash,
        "encoding": job.encoding,
        "audio_seconds": job.audio_seconds,
        "channels": job.channels,
        "options": job.options.to_dict(),
        "detected_language": job.detected_language,  # what `auto` (or a list) was recognized as
        "created_at": iso_time(job.created_at),
        "done_at": iso_time(job.done_at),
        "expires_at": iso_time(job.expires_at),
        "expires_in_seconds": None if (left := seconds_left(job, now)) is None else round(left),
        "expiry": expiry_level(job, now),
        "result_saved": job.has_transcript,
        "polls": job.polls,
        "error": job.last_error,
    }


JOB_HEADERS = ("ID", "STATE", "OPERATION", "FILE", "LANG/MODEL", "AUDIO", "SUBMITTED", "RETENTION")


def job_row(job: Job, now: float) -> tuple[str, ...]:
    """A job's cells in `stt-tui jobs`; each is printable (ids and options may come from anywhere)."""
    lang_model = "/".join(x for x in (job.language, job.options.model) if x) or "-"
    return tuple(printable(cell) for cell in _row(job, now, lang_model))


def _row(job: Job, now: float, lang_model: str) -> tuple[str, ...]:
    return (
        str(job.id),
        job.state.value,
        job.operation_id or "-",
        file_label(job),
        lang_model,
        audio_text(job),
        local_time(job.created_at),
        retention_text(job, now),
    )


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]
    ]
    return "\n".join(lines)


def job_summary(job: Job, now: float) -> str:
    """One line about a job, for progress output."""
    parts = [f"#{job.id}", job.state.value]
    if job.operation_id:
        parts.append(job.operation_id)
    parts.append(file_label(job))
    if job.state == JobState.RUNNING:
        parts.append(f"retention {retention_text(job, now)}")
    if job.last_error and job.state != JobState.DONE:
        parts.append(f"— {job.last_error}")
    return printable("  ".join(parts))


def job_details(job: Job, now: float, edits: Edits = NO_EDITS) -> str:
    """Everything about a job, one 'key: value' line each, for `stt-tui show` and the details view;
    `edits`: what a person changed in its transcript."""
    probe = job.probe or {}
    source = ""
    if probe:
        source = f"{probe.get('codec')} in {probe.get('container')}, {probe.get('sample_rate')} Hz"
    rows = [
        ("job", f"#{job.id}"),
        ("state", job.state.value),
        ("operation", job.operation_id or "-"),
        ("profile", job.profile),
        ("file", printable(job.file_path) if job.file_path else "(imported)"),
        ("source", source),
        ("sent as", job.encoding or ""),
        ("audio", audio_text(job)),
        ("language", job.language),  # `auto ru-RU` once found
        ("model", job.options.model),
        ("options", ", ".join(job.options.turned_on(job.api))),
        ("submitted", local_time(job.created_at)),
        ("finished", local_time(job.done_at)),
        (
            "retention",
            retention_text(job, now)
            + (f" (until {local_time(job.expires_at)})" if job.expires_at and not job.has_transcript else ""),
        ),
        ("status checks", str(job.polls)),
        ("corrections", plural(len(edits.corrections), "phrase") + " corrected" if edits.corrections else ""),
        ("names", ", ".join(f"{n}: {printable(name)}" for n, name in sorted(edits.names.items()))),
        ("by voice", ", ".join(f"{n}: {printable(name)}" for n, name in sorted(edits.heard.items()))),
        ("error", printable(job.last_error or "")),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows if v)


def live_line(job: Job, now: float, expected: float | None) -> str:
    """One job while waiting for it: number, state, name, elapsed against the expected time."""
    parts = [f"#{job.id}", f"{job.state.value:<10}", file_label(job)]
    if job.state == JobState.RUNNING:
        elapsed = format_duration(now - job.created_at)
        parts.append(f"{elapsed} / ~{format_duration(expected, up=True)}" if expected else elapsed)
    elif job.state == JobState.SUBMITTING:
        parts.append("sending")
    return "  ".join(parts)


def hit_line(hit: Hit) -> str:
    """`#12 board-meeting.wav 00:14:03 ch1  …the budget for the next…`: one line per search hit."""
    name = Path(hit.file_path).name or "(imported)"
    who = f"{'spk' if hit.speaker else 'ch'}{hit.channel}"
    return f"#{hit.job_id} {name} {clock(hit.start)} {who}  {hit.plain_snippet}"


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """The stable JSON shape of a search hit for scripts."""
    return {
        "job": hit.job_id,
        "file": hit.file_path or None,
        "profile": hit.profile,
        "submitted_at": iso_time(hit.created_at),
        "phrase": hit.n,
        "channel": hit.channel,
        "speaker": hit.speaker,
        "start": round(hit.start, 3),
        "end": round(hit.end, 3),
        "text": hit.text,
        "snippet": hit.plain_snippet,
    }
