"""Histories of older versions brought to the current schema, their results kept."""

from __future__ import annotations

import sqlite3

from stt_tui.history import MIGRATIONS, History
from stt_tui.jobs.model import StoredResult


def test_a_schema_8_history_gains_the_api_and_keeps_its_results(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    for n in range(1, 9):
        db.executescript(MIGRATIONS[n])
    db.execute(
        "INSERT INTO jobs (profile, state, file_path, options, created_at) "
        """VALUES ('yandex', 'done', '/a.wav', '{"language": "ru-RU"}', 1)"""
    )
    db.execute('INSERT INTO results (job_id, operation_json, stored_at) VALUES (1, \'{"id": "x"}\', 2)')
    db.execute("PRAGMA user_version=8")
    db.commit()
    db.close()
    history = History(path)
    (job,) = history.jobs()
    assert job.api == "v2" and job.options.language == "ru-RU" and job.options.languages == ()
    assert history.result(job.id) == StoredResult('{"id": "x"}', None)
    assert history.result(job.id).document() == '{"id": "x"}'
