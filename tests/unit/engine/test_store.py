"""The engine's operation store: one of version 1 gains the API of each operation."""

from __future__ import annotations

import sqlite3

from stt_tui.engine.store import OperationStore


def test_an_engine_store_of_version_1_gains_the_api(tmp_path):
    path = tmp_path / "engine.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE operations (id TEXT PRIMARY KEY, created_at REAL NOT NULL, modified_at REAL NOT NULL, "
        "state TEXT NOT NULL, deferred INTEGER NOT NULL, spec BLOB NOT NULL, audio_path TEXT NOT NULL, "
        "audio_owned INTEGER NOT NULL, response BLOB, error_code INTEGER, error_message TEXT);"
        "INSERT INTO operations VALUES ('a1', 1, 1, 'done', 0, x'', '/x', 0, x'0a00', NULL, NULL);"
        "PRAGMA user_version=1;"
    )
    db.commit()
    db.close()
    store = OperationStore(path)
    op = store.get("a1")
    assert op.api == "v2" and op.response == b"\n\x00" and not op.results_deleted
    store.delete_results("a1")
    assert store.get("a1").results_deleted and store.get("a1").response is None
    store.close()
