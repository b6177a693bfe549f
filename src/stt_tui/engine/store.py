"""The engine's own record of operations: SQLite, so a restarted engine answers for every job."""

from __future__ import annotations

import secrets
import sqlite3
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from stt_tui.shared.private import narrow_database

SCHEMA_VERSION = 2
_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_operation_id() -> str:
    """20 lowercase letters and digits, starting with a letter, like the service's ids."""
    return secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(_ID_ALPHABET) for _ in range(19))


class State(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (State.DONE, State.FAILED, State.CANCELLED)


@dataclass(frozen=True)
class StoredOperation:
    id: str
    created_at: float
    modified_at: float
    state: State
    deferred: bool
    spec: bytes  # serialized RecognitionSpec (v2) or RecognizeFileRequest without its audio (v3)
    audio_path: str
    audio_owned: bool  # spooled by the engine, deleted with the operation
    response: bytes | None  # v2: LongRunningRecognitionResponse; v3: StreamingResponseList
    error_code: int | None
    error_message: str | None
    api: str = "v2"
    results_deleted: bool = False  # v3 DeleteRecognition: the operation stays, its results are gone

    @property
    def done(self) -> bool:
        return self.state in FINISHED


_SCHEMA = """
CREATE TABLE IF NOT EXISTS operations (
    id            TEXT PRIMARY KEY,
    created_at    REAL NOT NULL,
    modified_at   REAL NOT NULL,
    state         TEXT NOT NULL,
    deferred      INTEGER NOT NULL,
    spec          BLOB NOT NULL,
    audio_path    TEXT NOT NULL,
    audio_owned   INTEGER NOT NULL,
    response      BLOB,
    error_code    INTEGER,
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS operations_queue ON operations (state, deferred, created_at);
"""
# Each takes the store from the version before to its own.
_MIGRATIONS = {
    2: """
    ALTER TABLE operations ADD COLUMN api TEXT NOT NULL DEFAULT 'v2';
    ALTER TABLE operations ADD COLUMN results_deleted INTEGER NOT NULL DEFAULT 0;
    """,
}
_COLUMNS = (
    "id, created_at, modified_at, state, deferred, spec, audio_path, audio_owned, response, "
    "error_code, error_message, api, results_deleted"
)


def _row(r: tuple[Any, ...]) -> StoredOperation:
    return StoredOperation(
        id=r[0],
        created_at=r[1],
        modified_at=r[2],
        state=State(r[3]),
        deferred=bool(r[4]),
        spec=r[5],
        audio_path=r[6],
        audio_owned=bool(r[7]),
        response=r[8],
        error_code=r[9],
        error_message=r[10],
        api=r[11],
        results_deleted=bool(r[12]),
    )


def _statements(script: str) -> list[str]:
    """The statements of a script, to run one by one inside a transaction (executescript commits)."""
    return [part.strip() for part in script.split(";") if part.strip()]


class OperationStore:
    """Thread-safe; one connection guarded by a lock (the engine's calls are short)."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        narrow_database(path)  # results are transcripts: the owner's alone (and only SQLite opens them)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        # One transaction, the version read inside it: a second process opening the store meanwhile
        # (a racing start) waits, then finds it made, instead of adding the same columns again.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{path} was written by a newer stt-tui (schema {version}).")
            if version < SCHEMA_VERSION:
                later = [_MIGRATIONS[n] for n in range(max(version, 1) + 1, SCHEMA_VERSION + 1)]
                for script in [_SCHEMA, *later]:
                    for statement in _statements(script):
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            self._db.execute("ROLLBACK")
            self._db.close()
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(
        self,
        op_id: str,
        *,
        spec: bytes,
        audio_path: str,
        audio_owned: bool,
        deferred: bool,
        api: str = "v2",
    ) -> StoredOperation:
        now = self._clock()
        with self._lock:
            self._db.execute(
                f"INSERT INTO operations ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,NULL,NULL,NULL,?,0)",
                (op_id, now, now, State.QUEUED, int(deferred), spec, audio_path, int(audio_owned), api),
            )
        return self.get(op_id)  # type: ignore[return-value]

    def get(self, op_id: str) -> StoredOperation | None:
        with self._lock:
            r = self._db.execute(f"SELECT {_COLUMNS} FROM operations WHERE id=?", (op_id,)).fetchone()
        return _row(r) if r else None

    def claim_next(self) -> StoredOperation | None:
        """Mark the oldest queued operation running (deferred ones last) and return it."""
        with self._lock:
            r = self._db.execute(
                f"SELECT {_COLUMNS} FROM operations WHERE state=? ORDER BY deferred, created_at LIMIT 1",
                (State.QUEUED,),
            ).fetchone()
            if r is None:
                return None
            now = self._clock()
            self._db.execute(
                "UPDATE operations SET state=?, modified_at=? WHERE id=?", (State.RUNNING, now, r[0])
            )
        return self.get(r[0])

    def finish(
        self,
        op_id: str,
        state: State,
        *,
        response: bytes | None = None,
        error: tuple[int, str] | None = None,
    ) -> None:
        """Record a final state; an operation already finished keeps its first result."""
        code, message = error if error else (None, None)
        with self._lock:
            self._db.execute(
                "UPDATE operations SET state=?, modified_at=?, response=?, error_code=?, error_message=? "
                "WHERE id=? AND state NOT IN (?,?,?)",
                (state, self._clock(), response, code, message, op_id, *FINISHED),
            )

    def delete_results(self, op_id: str) -> None:
        """DeleteRecognition: the results go; the operation is still known as done."""
        with self._lock:
            self._db.execute(
                "UPDATE operations SET response=NULL, results_deleted=1, modified_at=? WHERE id=?",
                (self._clock(), op_id),
            )

    def requeue(self, op_id: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE operations SET state=?, modified_at=? WHERE id=? AND state=?",
                (State.QUEUED, self._clock(), op_id, State.RUNNING),
            )

    def requeue_interrupted(self) -> int:
        """At start-up: work that was running when the engine stopped goes back in the queue."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE operations SET state=? WHERE state=?", (State.QUEUED, State.RUNNING)
            )
            return cur.rowcount

    def purge_created_before(self, cutoff: float) -> list[StoredOperation]:
        """Delete operations created before `cutoff`; return them so their spooled audio can go too."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM operations WHERE created_at < ?", (cutoff,)
            ).fetchall()
            self._db.execute("DELETE FROM operations WHERE created_at < ?", (cutoff,))
        return [_row(r) for r in rows]

    def count(self, state: State) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM operations WHERE state=?", (state,)).fetchone()
        return int(row[0])
