"""Jobs in a history as a finished run leaves them: done, with a stored result, in the index or not."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stt_tui.history import History
from stt_tui.history.search import (
    Phrase,
    parse_query,
)
from stt_tui.jobs.model import RequestOptions
from tests.support.transcripts import operation_json

NOW = time.time()


def done_job(history: History, name: str, phrases: list[str], language: str = "en-US"):
    options = RequestOptions(language)
    job = history.add_submitting(profile="local", file_path=f"/audio/{name}", options=options)
    history.mark_submitted(job.id, f"op{job.id}", NOW, NOW)
    history.store_result(job.id, operation_json())
    history.index_phrases(
        job.id, [Phrase(n, 1, False, 10.0 * n, 10.0 * n + 5, text) for n, text in enumerate(phrases)]
    )
    return job


def hits(history: History, text: str) -> list[tuple[int, int]]:
    return [(h.job_id, h.n) for h in history.search(parse_query(text))]


def stored(home: Path, name: str, folder: Path = Path("/audio")) -> int:
    """A done job with a stored result, as an older stt-tui left it: not in the search index yet."""
    history = History(home / "history.sqlite3")
    try:
        job = history.add_submitting(profile="local", file_path=str(folder / name), options=RequestOptions())
        history.mark_submitted(job.id, f"op{job.id:018d}", time.time(), time.time())
        history.store_result(job.id, operation_json())
        return job.id
    finally:
        history.close()


@contextmanager
def sql_on(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection of the test's own to a history's file, in autocommit: what a test writes in SQL itself
    (a hundred thousand rows at once, a row as a process that died left it)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        yield db
    finally:
        db.close()
