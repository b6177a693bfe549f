"""Keeping the search index whole: a result is indexed the moment it is stored, and the results stored
before the index existed are added in the background, newest first, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable

from stt_tui.history import History, JobNotFound
from stt_tui.jobs.model import Job
from stt_tui.outputs.export import ExportError, phrases, utterances, with_edits

BATCH = 50


def index_job(history: History, job: Job) -> None:
    """Put a done job's transcript in the index (one that cannot be read is indexed as empty)."""
    result = history.result(job.id) if job.has_transcript else None
    if result is None:
        return
    try:
        items = with_edits(utterances(result.document(), job.options.speaker_labeling), history.edits(job.id))
    except ExportError:
        items = []
    history.index_phrases(job.id, phrases(items))


def build_index(
    history: History,
    progress: Callable[[int, int], None] = lambda done, total: None,
    stopped: Callable[[], bool] = lambda: False,
) -> int:
    """Index every stored transcript not in the index yet; how many were added. `progress(indexed,
    stored)` after each batch; `stopped()` ends it between jobs (what is done stays done)."""
    added = 0
    while not stopped():
        pending = history.unindexed(BATCH)
        if not pending:
            break
        for job_id in pending:
            if stopped():
                return added
            try:
                index_job(history, history.get(job_id))
            except JobNotFound:
                continue
            added += 1
        progress(*history.index_counts())
    return added
