"""The history's database: one SQLite connection, its migrations, transactions and error sentences."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stt_tui.history.schema import MIGRATIONS, SCHEMA_VERSION
from stt_tui.shared.private import narrow_database, private_dir

Row = tuple[Any, ...]


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
    """No job matches the reference (or the job was forgotten meanwhile)."""


def _writable(path: Path) -> bool:
    """Whether the history can be written: its disk mounted read-write and the file open to writing."""
    try:
        return not os.statvfs(path).f_flag & os.ST_RDONLY and os.access(path, os.W_OK)
    except OSError:
        return False


def _sentence(exc: sqlite3.Error, path: Path) -> str:
    """What an SQLite failure means for the person whose history it is."""
    text = str(exc).lower()
    if "full" in text or getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return f"The disk holding the history ({path.parent}) is full; free some space and try again."
    if "locked" in text or "busy" in text:
        return f"The history at {path} is locked by another stt-tui process; try again in a moment."
    if "readonly" in text or "read-only" in text:
        return f"The history at {path} cannot be written (read-only); check its permissions."
    if "i/o" in text:
        return f"The history at {path} could not be read or written (disk I/O error); is the disk full?"
    return f"The history at {path} is damaged or not a history ({exc}); move it away to start a new one."


class Database:
    """One connection per instance; safe to share between threads of one process.

    Only SQLite opens the database and the files beside it (shared/private.narrow_database says why).
    """

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        self.read_only = False  # opened only to read: the disk is full or read-only, or the file is
        self.stale: str | None = None  # a sentence when what is read may miss the latest changes
        try:
            if not path.exists():
                private_dir(path.parent)
        except OSError as exc:
            raise HistoryError(f"The history {path} cannot be created: {exc.strerror}.") from None
        try:
            self._db = self._connect()
        except sqlite3.Error as exc:
            raise HistoryError(_sentence(exc, path)) from None

    def _connect(self) -> sqlite3.Connection:
        existed = self.path.exists()
        try:
            db = sqlite3.connect(self.path, timeout=15, check_same_thread=False, isolation_level=None)
        except sqlite3.OperationalError as exc:
            if existed:
                return self._connect_read_only()
            raise HistoryError(f"The history {self.path} cannot be created: {exc}.") from None
        narrow_database(self.path)  # before the first statement: the -wal and -shm take the file's mode
        try:
            db.execute("PRAGMA foreign_keys=ON")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"The history at {self.path} was written by a newer stt-tui (schema {version}); upgrade."
                )
            # Only a history that needs it is written to on opening: a full disk still lets it be read.
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            if version < SCHEMA_VERSION:
                self._migrate(db, version)
            db.execute("SELECT 1 FROM jobs LIMIT 1").fetchall()  # a history with no tables is damaged
            self.read_only = not _writable(self.path)
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            text = str(exc).lower()
            if "full" in text or "i/o" in text or "readonly" in text or "unable to open" in text:
                return self._connect_read_only()
            raise
        except BaseException:
            db.close()
            raise

    def _connect_read_only(self) -> sqlite3.Connection:
        """The history as committed, for reading when it cannot be written (a full or read-only disk).

        With its -wal and -shm present SQLite reads the WAL without writing; with no -wal everything is
        in the file itself (`immutable`: nothing to lock or recover). A -wal that cannot be read without
        creating its -shm is left out, and `stale` says so.
        """
        wal = self.path.with_name(self.path.name + "-wal")
        db = None
        if wal.exists():
            with contextlib.suppress(sqlite3.Error):
                db = self._open_uri("mode=ro")
            if db is None and wal.stat().st_size > 0:
                self.stale = (
                    f"The history at {self.path} is shown as of its last checkpoint: its latest changes "
                    f"(in {wal.name}) cannot be read on a disk that cannot be written."
                )
        if db is None:
            db = self._open_uri("mode=ro&immutable=1")
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            db.close()
            raise HistoryError(
                f"The history at {self.path} cannot be written (the disk is full or read-only), and it "
                "needs an upgrade before it can be read."
            )
        self.read_only = True
        return db

    def _open_uri(self, query: str) -> sqlite3.Connection:
        db = sqlite3.connect(
            f"{self.path.as_uri()}?{query}", uri=True, timeout=15, check_same_thread=False,
            isolation_level=None,
        )  # fmt: skip
        try:
            db.execute("SELECT 1 FROM jobs LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection, version: int) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated it meanwhile.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[target]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={target}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE so concurrent writers queue instead of deadlocking.

        Every SQLite failure comes out as a HistoryError sentence (a full disk, a lock held too long).
        """
        with self._lock:
            if self.read_only:
                raise HistoryError(
                    f"The history at {self.path} can only be read now: the disk is full, or the file is "
                    "read-only."
                )
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise HistoryError(_sentence(exc, self.path)) from None
            try:
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise HistoryError(_sentence(exc, self.path)) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back by itself (a full disk)
            self._db.execute("ROLLBACK")

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Row | None:
        with self._lock:
            try:
                row: Row | None = self._db.execute(sql, args).fetchone()
            except sqlite3.Error as exc:
                raise HistoryError(_sentence(exc, self.path)) from None
            return row

    def _scalar(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        row = self._one(sql, args)
        return int(row[0]) if row else 0

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Row]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise HistoryError(_sentence(exc, self.path)) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()
