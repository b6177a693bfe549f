"""The local history: every job and every result, in SQLite. The only module that touches the database.

The service cannot list operations and forgets results after 3 days, so this file is the user's only
record. Several processes (a TUI and a CLI) may use it at once: WAL mode, short transactions.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .jobs import Job, JobState, RequestOptions, retention_deadline

SCHEMA_VERSION = 3

# Each entry takes the schema from the version before it to its own number.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE jobs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        profile       TEXT NOT NULL,
        state         TEXT NOT NULL,
        operation_id  TEXT,
        file_path     TEXT NOT NULL,
        file_size     INTEGER,
        file_hash     TEXT,
        probe         TEXT,
        options       TEXT NOT NULL,
        encoding      TEXT,
        audio_seconds REAL,
        channels      INTEGER,
        payload_path  TEXT,
        created_at    REAL NOT NULL,
        done_at       REAL,
        expires_at    REAL,
        next_poll_at  REAL,
        polls         INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        errors        INTEGER NOT NULL DEFAULT 0,  -- failed checks in a row, for the retry backoff
        submitter_pid INTEGER
    );
    CREATE UNIQUE INDEX jobs_operation ON jobs (profile, operation_id) WHERE operation_id IS NOT NULL;
    CREATE INDEX jobs_due ON jobs (profile, state, next_poll_at);
    CREATE TABLE results (
        job_id         INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        operation_json TEXT NOT NULL,
        stored_at      REAL NOT NULL
    );
    -- Calls counted against the service's hourly quotas, shared by every process using this history.
    CREATE TABLE quota_events (profile TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX quota_events_at ON quota_events (profile, kind, at);
    CREATE TABLE pauses (profile TEXT PRIMARY KEY, until REAL NOT NULL, strikes INTEGER NOT NULL);
    """,
    # A revision number bumped on every change of a row, so a window on the history (the TUI) reads
    # only what changed, whoever changed it. The counter lives apart from the rows so that it never
    # goes back, even when the newest rows are forgotten.
    2: """
    CREATE TABLE revision (n INTEGER NOT NULL);
    INSERT INTO revision (n) SELECT COALESCE(MAX(id), 0) FROM jobs;
    ALTER TABLE jobs ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
    UPDATE jobs SET rev = id;
    CREATE INDEX jobs_rev ON jobs (rev);
    CREATE TRIGGER jobs_rev_insert AFTER INSERT ON jobs BEGIN
        UPDATE revision SET n = n + 1;
        UPDATE jobs SET rev = (SELECT n FROM revision) WHERE id = NEW.id;
    END;
    CREATE TRIGGER jobs_rev_update AFTER UPDATE ON jobs WHEN NEW.rev = OLD.rev BEGIN
        UPDATE revision SET n = n + 1;
        UPDATE jobs SET rev = (SELECT n FROM revision) WHERE id = NEW.id;
    END;
    """,
    # The Object Storage URI of audio uploaded for a cloud job, kept until the object is deleted.
    3: """
    ALTER TABLE jobs ADD COLUMN object_uri TEXT;
    CREATE INDEX jobs_object ON jobs (object_uri) WHERE object_uri IS NOT NULL;
    """,
}

_JOB_COLUMNS = (
    "id, profile, state, operation_id, file_path, file_size, file_hash, probe, options, encoding, "
    "audio_seconds, channels, payload_path, created_at, done_at, expires_at, next_poll_at, polls, "
    "last_error, errors, submitter_pid, object_uri, EXISTS (SELECT 1 FROM results r WHERE r.job_id = jobs.id)"
)


def _statements(script: str) -> Iterator[str]:
    """The statements of a script, whole (trigger bodies hold semicolons of their own)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()[:60]}")


class HistoryError(Exception):
    """The history cannot be opened or used; the message says why."""


class JobNotFound(LookupError):
    """No job matches the reference."""


def _job(r: tuple) -> Job:
    return Job(
        id=r[0],
        profile=r[1],
        state=JobState(r[2]),
        operation_id=r[3],
        file_path=r[4],
        file_size=r[5],
        file_hash=r[6],
        probe=json.loads(r[7]) if r[7] else None,
        options=RequestOptions.from_dict(json.loads(r[8])),
        encoding=r[9],
        audio_seconds=r[10],
        channels=r[11],
        payload_path=r[12],
        created_at=r[13],
        done_at=r[14],
        expires_at=r[15],
        next_poll_at=r[16],
        polls=r[17],
        last_error=r[18],
        errors=r[19],
        submitter_pid=r[20],
        object_uri=r[21],
        has_result=bool(r[22]),
    )


class History:
    """One connection per instance; safe to share between threads of one process."""

    def __init__(self, path: Path, *, clock=time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._db = sqlite3.connect(path, timeout=15, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"The history at {path} cannot be opened: {exc}.") from None
        except OSError as exc:
            raise HistoryError(
                f"The history folder {path.parent} cannot be created: {exc.strerror}."
            ) from None

    def _migrate(self) -> None:
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"The history at {self.path} was written by a newer stt-tui (schema {version}); upgrade."
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[target]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={target}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE so concurrent writers queue instead of deadlocking."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, args: tuple = ()) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- jobs -----------------------------------------------------------------------------------

    def add_submitting(
        self,
        *,
        profile: str,
        file_path: str,
        options: RequestOptions,
        file_size: int | None = None,
        file_hash: str | None = None,
        probe: dict | None = None,
        encoding: str | None = None,
        audio_seconds: float | None = None,
        channels: int | None = None,
        payload_path: str | None = None,
    ) -> Job:
        """The row written before the call, so a crash leaves a visible job rather than nothing."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO jobs (profile, state, file_path, file_size, file_hash, probe, options, "
                "encoding, audio_seconds, channels, payload_path, created_at, submitter_pid) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    profile,
                    JobState.SUBMITTING,
                    file_path,
                    file_size,
                    file_hash,
                    json.dumps(probe) if probe else None,
                    json.dumps(options.to_dict()),
                    encoding,
                    audio_seconds,
                    channels,
                    payload_path,
                    self._clock(),
                    os.getpid(),
                ),
            )
            job_id = cur.lastrowid
        return self.get(job_id)

    def set_prepared(self, job_id: int, *, file_hash: str, encoding: str, payload_path: str) -> Job:
        """What will be sent, once the audio is prepared (hashed, stripped or converted)."""
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET file_hash=?, encoding=?, payload_path=? WHERE id=?",
                (file_hash, encoding, payload_path, job_id),
            )
        return self.get(job_id)

    def set_uploaded(self, job_id: int, object_uri: str | None) -> Job:
        """Where the job's audio lies in Object Storage (None once the object is deleted)."""
        with self._tx() as db:
            db.execute("UPDATE jobs SET object_uri=? WHERE id=?", (object_uri, job_id))
        return self.get(job_id)

    def object_in_use(self, object_uri: str, *, except_job: int) -> bool:
        """Whether another unfinished job still needs the same uploaded object."""
        r = self._one(
            "SELECT 1 FROM jobs WHERE object_uri=? AND id<>? AND state IN (?,?)",
            (object_uri, except_job, JobState.SUBMITTING, JobState.RUNNING),
        )
        return r is not None

    def mark_submitted(self, job_id: int, operation_id: str, created_at: float, next_poll_at: float) -> Job:
        """The operation id, stored the moment it is known."""
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET state=?, operation_id=?, created_at=?, expires_at=?, next_poll_at=?, "
                "last_error=NULL WHERE id=?",
                (
                    JobState.RUNNING,
                    operation_id,
                    created_at,
                    retention_deadline(created_at),
                    next_poll_at,
                    job_id,
                ),
            )
        return self.get(job_id)

    def import_operation(
        self,
        *,
        profile: str,
        operation_id: str,
        options: RequestOptions,
        created_at: float,
        next_poll_at: float,
    ) -> Job:
        """A job for an operation started elsewhere; known only by its id."""
        with self._tx() as db:
            existing = db.execute(
                "SELECT id FROM jobs WHERE profile=? AND operation_id=?", (profile, operation_id)
            ).fetchone()
            if existing:
                return self.get(existing[0])
            cur = db.execute(
                "INSERT INTO jobs (profile, state, operation_id, file_path, options, created_at, expires_at, "
                "next_poll_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    profile,
                    JobState.RUNNING,
                    operation_id,
                    "",
                    json.dumps(options.to_dict()),
                    created_at,
                    retention_deadline(created_at),
                    next_poll_at,
                ),
            )
            job_id = cur.lastrowid
        return self.get(job_id)

    def set_state(self, job_id: int, state: JobState, *, error: str | None = None) -> Job:
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET state=?, last_error=?, next_poll_at=NULL, done_at=COALESCE(done_at, ?) "
                "WHERE id=?",
                (state, error, self._clock(), job_id),
            )
        return self.get(job_id)

    def schedule(
        self, job_id: int, next_poll_at: float, *, error: str | None = None, counted: bool = True
    ) -> Job:
        """After a status check that found the job still running (or could not tell)."""
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET next_poll_at=?, polls=polls+?, last_error=?, "
                "errors=CASE WHEN ? IS NULL THEN 0 ELSE errors+1 END WHERE id=?",
                (next_poll_at, int(counted), error, error, job_id),
            )
        return self.get(job_id)

    def store_result(
        self, job_id: int, operation_json: str, *, state: JobState = JobState.DONE, error: str | None = None
    ) -> Job:
        """The whole finished Operation, with the job's final state, in one transaction."""
        now = self._clock()
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO results (job_id, operation_json, stored_at) VALUES (?,?,?)",
                (job_id, operation_json, now),
            )
            db.execute(
                "UPDATE jobs SET state=?, done_at=?, next_poll_at=NULL, polls=polls+1, last_error=? "
                "WHERE id=?",
                (state, now, error, job_id),
            )
        return self.get(job_id)

    def get(self, job_id: int) -> Job:
        r = self._one(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id=?", (job_id,))
        if r is None:
            raise JobNotFound(f"No job #{job_id} in the history.")
        return _job(r)

    def find(self, ref: str) -> Job:
        """A job by its number (`12` or `#12`), its operation id, or a unique prefix of one."""
        ref = ref.strip()
        if ref.lstrip("#").isdigit() and len(ref.lstrip("#")) < 12:
            return self.get(int(ref.lstrip("#")))
        rows = self._all(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE operation_id LIKE ? ESCAPE '\\' ORDER BY id",
            (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        )
        exact = [r for r in rows if r[3] == ref]
        if exact:
            return _job(exact[0])
        if len(rows) == 1:
            return _job(rows[0])
        if not rows:
            raise JobNotFound(f"No job with the id {ref!r} in the history.")
        raise JobNotFound(f"{ref!r} matches {len(rows)} jobs; give more of the operation id.")

    def jobs(self, profile: str | None = None) -> list[Job]:
        """Every job, newest first."""
        if profile is None:
            rows = self._all(f"SELECT {_JOB_COLUMNS} FROM jobs ORDER BY id DESC")
        else:
            rows = self._all(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE profile=? ORDER BY id DESC", (profile,))
        return [_job(r) for r in rows]

    def pollable(self, profile: str) -> list[Job]:
        """Running jobs of a profile, soonest check first."""
        rows = self._all(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE profile=? AND state=? ORDER BY next_poll_at",
            (profile, JobState.RUNNING),
        )
        return [_job(r) for r in rows]

    def submissions(self) -> list[Job]:
        """Jobs still in `submitting`: in progress somewhere, or left by a process that died."""
        rows = self._all(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE state=? ORDER BY id", (JobState.SUBMITTING,))
        return [_job(r) for r in rows]

    def revision(self) -> int:
        """The latest revision: it grows with every change to a job row."""
        return self._one("SELECT n FROM revision")[0]

    def changed_since(self, rev: int) -> tuple[list[Job], int]:
        """Jobs added or changed after revision `rev`, and the revision they bring the reader to."""
        with self._lock:
            latest = self.revision()
            rows = self._all(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE rev > ? AND rev <= ? ORDER BY id", (rev, latest)
            )
        return [_job(r) for r in rows], latest

    def job_ids(self) -> set[int]:
        return {r[0] for r in self._all("SELECT id FROM jobs")}

    def count(self) -> int:
        return self._one("SELECT COUNT(*) FROM jobs")[0]

    def result(self, job_id: int) -> str | None:
        """The stored Operation JSON of a finished job."""
        r = self._one("SELECT operation_json FROM results WHERE job_id=?", (job_id,))
        return r[0] if r else None

    def forget(self, job_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM jobs WHERE id=?", (job_id,))

    def payload_in_use(self, payload_path: str, *, except_job: int) -> bool:
        """Whether another unfinished job still needs the same prepared file."""
        r = self._one(
            "SELECT 1 FROM jobs WHERE payload_path=? AND id<>? AND state IN (?,?)",
            (payload_path, except_job, JobState.SUBMITTING, JobState.RUNNING),
        )
        return r is not None

    # --- quota ----------------------------------------------------------------------------------

    def record_call(self, profile: str, kind: str, at: float | None = None) -> None:
        """Count one call against an hourly quota; events older than a day are dropped on the way."""
        at = self._clock() if at is None else at
        with self._tx() as db:
            db.execute("INSERT INTO quota_events (profile, kind, at) VALUES (?,?,?)", (profile, kind, at))
            db.execute("DELETE FROM quota_events WHERE at < ?", (at - 86400,))

    def calls_since(self, profile: str, kind: str, since: float) -> list[float]:
        """Times of the calls made since `since`, oldest first."""
        rows = self._all(
            "SELECT at FROM quota_events WHERE profile=? AND kind=? AND at >= ? ORDER BY at",
            (profile, kind, since),
        )
        return [r[0] for r in rows]

    def pause(self, profile: str) -> tuple[float, int]:
        """(until, strikes): polling paused after RESOURCE_EXHAUSTED."""
        r = self._one("SELECT until, strikes FROM pauses WHERE profile=?", (profile,))
        return (r[0], r[1]) if r else (0.0, 0)

    def set_pause(self, profile: str, until: float, strikes: int) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO pauses (profile, until, strikes) VALUES (?,?,?) "
                "ON CONFLICT (profile) DO UPDATE SET until=excluded.until, strikes=excluded.strikes",
                (profile, until, strikes),
            )
