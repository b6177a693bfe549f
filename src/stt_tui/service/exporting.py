"""Exporting a job's transcript: rendered from the stored result with the corrections and names (never
asking the server), and written whole to a file a person names."""

from __future__ import annotations

from pathlib import Path

from stt_tui.jobs.model import Job
from stt_tui.outputs.export import ExportError, render
from stt_tui.outputs.files import OutputError, write_output
from stt_tui.outputs.subtitles import NETFLIX, SubtitleLimits
from stt_tui.service.errors import UserError
from stt_tui.service.transcripts import Transcripts


def rendered(
    transcripts: Transcripts,
    job: Job,
    fmt: str,
    channel: int | None = None,
    *,
    subtitles: SubtitleLimits = NETFLIX,
    words: bool = False,
) -> str:
    """The transcript in `fmt` (one channel or speaker, or all: None; `words`: a row per word, in csv,
    tsv and json); UserError when there is none."""
    document = transcripts.document(job)
    try:
        return render(
            document,
            fmt,
            channel,
            speakers=job.options.speaker_labeling,
            edits=transcripts.edits(job),
            subtitles=subtitles,
            words=words,
        )
    except ExportError as exc:
        raise UserError(str(exc)) from None


def export_to(
    transcripts: Transcripts,
    job: Job,
    fmt: str,
    path: Path,
    channel: int | None = None,
    *,
    subtitles: SubtitleLimits = NETFLIX,
    words: bool = False,
) -> Path:
    """Write the transcript in `fmt` to `path`, whole (see outputs.files.write_output); the file written
    (a link's target)."""
    text = rendered(transcripts, job, fmt, channel, subtitles=subtitles, words=words)
    try:
        return write_output(path, text)
    except OutputError as exc:
        raise UserError(str(exc)) from None
