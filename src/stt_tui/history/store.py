"""The jobs of the history, a row per job written before every step, and their stored results.

The service cannot list operations and forgets results after 3 days, so this is the user's only record.
Several processes (a TUI and a CLI) may use it at once: WAL mode, short transactions.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from typing import Any

from stt_tui.history.database import HistoryError, JobNotFound
from stt_tui.history.edits import EditBook
from stt_tui.history.files import FileBook
from stt_tui.history.quota import QuotaBook
from stt_tui.history.rows import JOB_COLUMNS, job_from_row
from stt_tui.history.schema import DETECTED_LANGUAGE
from stt_tui.history.search import SearchBook
from stt_tui.history.voices import VoiceBook
from stt_tui.history.windows import JobWindows
from stt_tui.jobs.model import FINAL_STATES, Job, JobState, RequestOptions, StoredResult, retention_deadline
from stt_tui.shared.names import stored
from stt_tui.shared.wording import quoted

__all__ = ["History", "HistoryError", "JobNotFound"]


class History(JobWindows, QuotaBook, FileBook, SearchBook, EditBook, VoiceBook):
    """Every job and its stored result; one connection, safe to share between threads of one process."""

    def add_submitting(self, **row: Any) -> Job:
        """The row written before the call, so a crash leaves a visible job rather than nothing (see
        claim_submitting for the fields)."""
        job = self.claim_submitting(unless=lambda earlier: False, **row)
        assert job is not None
        return job

    def claim_submitting(
        self,
        *,
        unless: Callable[[list[Job]], bool],
        profile: str,
        file_path: str,
        options: RequestOptions,
        file_size: int | None = None,
        file_hash: str | None = None,
        probe: dict[str, Any] | None = None,
        encoding: str | None = None,
        audio_seconds: float | None = None,
        channels: int | None = None,
        payload_path: str | None = None,
        api: str = "v2",
    ) -> Job | None:
        """The `submitting` row, unless `unless`, asked about the jobs already sent the same audio
        (`file_hash`), says they answer this request: then no row is written (None).

        The question and the row are one transaction, so of several processes sending the same audio
        with the same request at once exactly one writes its row: the claim.
        """
        with self._tx() as db:
            if file_hash is not None:
                rows = db.execute(
                    f"SELECT {JOB_COLUMNS} FROM jobs WHERE file_hash=? ORDER BY id", (file_hash,)
                ).fetchall()
                if unless([job_from_row(r) for r in rows]):
                    return None
            cur = db.execute(
                "INSERT INTO jobs (profile, state, file_path, file_size, file_hash, probe, options, "
                "encoding, audio_seconds, channels, payload_path, created_at, submitter_pid, api) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    profile,
                    JobState.SUBMITTING,
                    stored(file_path),
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
                    api,
                ),
            )
            job_id = cur.lastrowid
        assert job_id is not None
        return self.get(job_id)

    def _update(self, job_id: int, sql: str, args: tuple[Any, ...]) -> Job:
        """One UPDATE of one job's row (`sql` ends in `WHERE id=?`); JobNotFound if it was forgotten."""
        with self._tx() as db:
            if db.execute(sql, (*args, job_id)).rowcount == 0:
                raise JobNotFound(f"Job #{job_id} is no longer in the history.")
        return self.get(job_id)

    def set_prepared(self, job_id: int, *, file_hash: str, encoding: str, payload_path: str) -> Job:
        """What will be sent, once the audio is prepared (hashed, stripped or converted)."""
        return self._update(
            job_id,
            "UPDATE jobs SET file_hash=?, encoding=?, payload_path=? WHERE id=?",
            (file_hash, encoding, payload_path),
        )

    def set_uploaded(self, job_id: int, object_uri: str | None) -> Job:
        """Where the job's audio lies in Object Storage (None once the object is deleted)."""
        return self._update(job_id, "UPDATE jobs SET object_uri=? WHERE id=?", (object_uri,))

    def set_api(self, job_id: int, api: str) -> Job:
        """The API an imported operation was started with, once it says so (its result's shape follows)."""
        return self._update(job_id, "UPDATE jobs SET api=? WHERE id=?", (api,))

    def mark_sending(self, job_id: int) -> Job:
        """The request is about to go out: from now on the service may know the job."""
        return self._update(job_id, "UPDATE jobs SET sent_at=? WHERE id=?", (self._clock(),))

    def object_in_use(self, object_uri: str, *, except_job: int) -> bool:
        """Whether another unfinished job still needs the same uploaded object."""
        r = self._one(
            "SELECT 1 FROM jobs WHERE object_uri=? AND id<>? AND state IN (?,?)",
            (object_uri, except_job, JobState.SUBMITTING, JobState.RUNNING),
        )
        return r is not None

    def mark_submitted(
        self,
        job_id: int,
        operation_id: str,
        created_at: float,
        next_poll_at: float,
        expected_seconds: float | None = None,
    ) -> Job:
        """The operation id, stored the moment it is known (with the recognition time to expect)."""
        return self._update(
            job_id,
            "UPDATE jobs SET state=?, operation_id=?, created_at=?, expires_at=?, next_poll_at=?, "
            "expected_seconds=?, last_error=NULL WHERE id=?",
            (
                JobState.RUNNING,
                operation_id,
                created_at,
                retention_deadline(created_at),
                next_poll_at,
                expected_seconds,
            ),
        )

    def import_operation(
        self,
        *,
        profile: str,
        operation_id: str,
        options: RequestOptions,
        created_at: float,
        next_poll_at: float,
        api: str = "v2",
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
                "next_poll_at, api) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    profile,
                    JobState.RUNNING,
                    operation_id,
                    "",
                    json.dumps(options.to_dict()),
                    created_at,
                    retention_deadline(created_at),
                    next_poll_at,
                    api,
                ),
            )
            job_id = cur.lastrowid
        assert job_id is not None
        return self.get(job_id)

    def set_state(self, job_id: int, state: JobState, *, error: str | None = None) -> Job:
        return self._update(
            job_id,
            "UPDATE jobs SET state=?, last_error=?, next_poll_at=NULL, done_at=COALESCE(done_at, ?) "
            "WHERE id=?",
            (state, error, self._clock()),
        )

    # What the service answered about a job is stored only while the job has not ended: another process
    # may have stored its end first. A later answer never undoes it: with API v3 the process that stored a
    # result has the service delete it, and a second process that saw the operation done a moment before
    # is then told the result is not found, which it took for a failure of the job done and saved.

    def end_running(self, job_id: int, state: JobState, *, error: str | None = None) -> Job | None:
        """A status check's end of a job without a result (failed, expired, cancelled); None when the
        job had already ended (stored by another process), which stays as it is."""
        with self._tx() as db:
            if not self._running(db, job_id):
                return None
            db.execute(
                "UPDATE jobs SET state=?, last_error=?, next_poll_at=NULL, done_at=COALESCE(done_at, ?) "
                "WHERE id=?",
                (state, error, self._clock(), job_id),
            )
        return self.get(job_id)

    def schedule(
        self, job_id: int, next_poll_at: float, *, error: str | None = None, counted: bool = True
    ) -> Job:
        """After a status check that found the job still running (or could not tell); a job that has
        ended meanwhile (in another process) is left as it is."""
        with self._tx() as db:
            if self._running(db, job_id):
                db.execute(
                    "UPDATE jobs SET next_poll_at=?, polls=polls+?, last_error=?, "
                    "errors=CASE WHEN ? IS NULL THEN 0 ELSE errors+1 END WHERE id=?",
                    (next_poll_at, int(counted), error, error, job_id),
                )
        return self.get(job_id)

    def store_end(
        self,
        job_id: int,
        operation_json: str,
        *,
        state: JobState = JobState.DONE,
        error: str | None = None,
        recognition_json: str | None = None,
    ) -> Job | None:
        """A status check's finished Operation, stored as store_result stores it, unless the job had
        already ended (stored by another process): None then, and nothing is changed."""
        return self._store(job_id, operation_json, state, error, recognition_json, only_running=True)

    def store_result(
        self,
        job_id: int,
        operation_json: str,
        *,
        state: JobState = JobState.DONE,
        error: str | None = None,
        recognition_json: str | None = None,
    ) -> Job:
        """The whole finished Operation (and a v3 job's result stream), with the job's final state, in one
        transaction."""
        stored = self._store(job_id, operation_json, state, error, recognition_json, only_running=False)
        assert stored is not None
        return stored

    def _store(
        self,
        job_id: int,
        operation_json: str,
        state: JobState,
        error: str | None,
        recognition_json: str | None,
        only_running: bool,
    ) -> Job | None:
        now = self._clock()
        with self._tx() as db:
            if only_running and not self._running(db, job_id):
                return None
            if db.execute("SELECT 1 FROM jobs WHERE id=?", (job_id,)).fetchone() is None:
                raise JobNotFound(f"Job #{job_id} is no longer in the history.")
            db.execute(
                "INSERT OR REPLACE INTO results (job_id, operation_json, stored_at, recognition_json) "
                "VALUES (?,?,?,?)",
                (job_id, operation_json, now, recognition_json),
            )
            db.execute(
                "UPDATE jobs SET state=?, done_at=?, next_poll_at=NULL, polls=polls+1, last_error=?, "
                f"detected_language={DETECTED_LANGUAGE} WHERE id=?",
                (state, now, error, job_id),
            )
        return self.get(job_id)

    @staticmethod
    def _running(db: sqlite3.Connection, job_id: int) -> bool:
        """Whether the job has not ended (in this transaction); JobNotFound if it was forgotten."""
        row = db.execute("SELECT state FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"Job #{job_id} is no longer in the history.")
        return JobState(row[0]) not in FINAL_STATES

    def get(self, job_id: int) -> Job:
        r = self._one(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id=?", (job_id,))
        if r is None:
            raise JobNotFound(f"No job #{job_id} in the history.")
        return job_from_row(r)

    def find(self, ref: str) -> Job:
        """A job by its number (`12` or `#12`), its operation id, or a unique prefix of one."""
        ref = ref.strip()
        if not ref:
            raise JobNotFound("Give a job number or an operation id (or its first characters).")
        if ref.lstrip("#").isdigit() and len(ref.lstrip("#")) < 12:
            return self.get(int(ref.lstrip("#")))
        rows = self._all(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE operation_id LIKE ? ESCAPE '\\' ORDER BY id",
            (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        )
        exact = [r for r in rows if r[3] == ref]
        if exact:
            return job_from_row(exact[0])
        if len(rows) == 1:
            return job_from_row(rows[0])
        if not rows:
            raise JobNotFound(f"No job with the id {quoted(ref)} in the history.")
        raise JobNotFound(f"{quoted(ref)} matches {len(rows)} jobs; give more of the operation id.")

    def jobs(self, profile: str | None = None) -> list[Job]:
        """Every job, newest first."""
        if profile is None:
            rows = self._all(f"SELECT {JOB_COLUMNS} FROM jobs ORDER BY id DESC")
        else:
            rows = self._all(f"SELECT {JOB_COLUMNS} FROM jobs WHERE profile=? ORDER BY id DESC", (profile,))
        return [job_from_row(r) for r in rows]

    def pollable(self, profile: str) -> list[Job]:
        """Running jobs of a profile, soonest check first."""
        rows = self._all(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE profile=? AND state=? ORDER BY next_poll_at",
            (profile, JobState.RUNNING),
        )
        return [job_from_row(r) for r in rows]

    def submissions(self) -> list[Job]:
        """Jobs still in `submitting`: in progress somewhere, or left by a process that died."""
        rows = self._all(f"SELECT {JOB_COLUMNS} FROM jobs WHERE state=? ORDER BY id", (JobState.SUBMITTING,))
        return [job_from_row(r) for r in rows]

    def revision(self) -> int:
        """The latest revision: it grows with every change to a job row."""
        return self._scalar("SELECT n FROM revision")

    def forgotten_since(self, rev: int, latest: int) -> set[int]:
        """Ids of the jobs forgotten after revision `rev` (up to `latest`)."""
        rows = self._all("SELECT id FROM forgotten WHERE rev > ? AND rev <= ?", (rev, latest))
        return {r[0] for r in rows}

    def changed_since(self, rev: int) -> tuple[list[Job], set[int], int]:
        """Jobs added or changed, and ids forgotten, after revision `rev`; and the revision they bring
        the reader to. Read in one transaction, so nothing slips between the three."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                latest = self.revision()
                rows = self._all(
                    f"SELECT {JOB_COLUMNS} FROM jobs WHERE rev > ? AND rev <= ? ORDER BY id", (rev, latest)
                )
                gone = self.forgotten_since(rev, latest)
            finally:
                self._db.execute("COMMIT")
        return [job_from_row(r) for r in rows], gone, latest

    def count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM jobs")

    def result(self, job_id: int) -> StoredResult | None:
        """What is stored of a finished job's result."""
        r = self._one("SELECT operation_json, recognition_json FROM results WHERE job_id=?", (job_id,))
        return StoredResult(r[0], r[1]) if r else None

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
