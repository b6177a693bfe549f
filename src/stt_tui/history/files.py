"""Files by their content: cached hashes, audio files waiting for their transcripts, files stt-tui wrote."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stt_tui.history.database import Database, Row
from stt_tui.history.rows import JOB_COLUMNS, job_from_row
from stt_tui.jobs.model import FINAL_STATES, Job
from stt_tui.shared.names import real, stored

_CHUNK = 500  # SQLite's limit on bound parameters is far above; this keeps each statement small


@dataclass(frozen=True)
class Delivery:
    """An audio file whose transcripts go beside it once its job is done."""

    id: int
    job_id: int
    audio_path: str
    formats: tuple[str, ...]
    settled_at: float | None
    outcome: str | None


def _delivery(r: Row) -> Delivery:
    formats = tuple(f for f in str(r[3]).split(",") if f)
    return Delivery(int(r[0]), int(r[1]), real(str(r[2])), formats, r[4], real(r[5]) if r[5] else r[5])


_DELIVERY = "d.id, d.job_id, d.audio_path, d.formats, d.settled_at, d.outcome"  # from `deliveries d`
# A claim with no outcome this old was made by a process that died while writing (it takes milliseconds).
CLAIM_SECONDS = 60.0
_UNCLAIMED = "(d.settled_at IS NULL OR (d.outcome IS NULL AND d.settled_at < ?))"


class FileBook(Database):
    # --- hashes ---------------------------------------------------------------------------------

    def cached_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The SHA-256 stored for the file, if it has not changed size or time since."""
        sql = "SELECT sha256 FROM file_hashes WHERE path=? AND size=? AND mtime_ns=?"
        r = self._one(sql, (stored(path), size, mtime_ns))
        return None if r is None else str(r[0])

    def cache_hash(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        if self.read_only:
            return  # a cache: not worth an error when the history can only be read
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO file_hashes (path, size, mtime_ns, sha256) VALUES (?,?,?,?)",
                (stored(path), size, mtime_ns, sha256),
            )

    def known_sizes(self) -> set[int]:
        """The sizes of every file ever submitted: a file of another size cannot hold the same audio."""
        return {
            int(r[0]) for r in self._all("SELECT DISTINCT file_size FROM jobs WHERE file_size IS NOT NULL")
        }

    def jobs_with_hashes(self, hashes: Iterable[str]) -> list[Job]:
        """Every job whose audio has one of these SHA-256s, oldest first."""
        wanted = sorted(set(hashes))
        found: list[Job] = []
        for i in range(0, len(wanted), _CHUNK):
            part = wanted[i : i + _CHUNK]
            marks = ",".join("?" * len(part))
            rows = self._all(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE file_hash IN ({marks}) ORDER BY id", tuple(part)
            )
            found += [job_from_row(r) for r in rows]
        return found

    def jobs_of_file(self, path: str, sha256: str) -> list[Job]:
        """The jobs this file, with this content, was submitted as or linked to, oldest first."""
        rows = self._all(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE file_path=? AND file_hash=? UNION "
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE file_hash=? AND id IN "
            "(SELECT job_id FROM deliveries WHERE audio_path=?) ORDER BY id",
            (stored(path), sha256, sha256, stored(path)),
        )
        return [job_from_row(r) for r in rows]

    # --- transcripts beside the audio ---------------------------------------------------------------

    def add_delivery(self, job_id: int, audio_path: str, formats: Iterable[str]) -> None:
        """The job's transcripts go beside `audio_path` in these formats once it is done (none: a link).

        Formats asked for add up: a later request adds its own to the earlier ones (and has them all
        written again), it never drops one.
        """
        asked, where = list(dict.fromkeys(formats)), stored(audio_path)
        with self._tx() as db:
            r = db.execute(
                "SELECT id, formats FROM deliveries WHERE audio_path=? AND job_id=?", (where, job_id)
            ).fetchone()
            if r is None:
                db.execute(
                    "INSERT INTO deliveries (job_id, audio_path, formats) VALUES (?,?,?)",
                    (job_id, where, ",".join(asked)),
                )
                return
            had = [f for f in str(r[1]).split(",") if f]
            more = [f for f in asked if f not in had]
            if more:
                db.execute(
                    "UPDATE deliveries SET formats=?, settled_at=NULL, outcome=NULL WHERE id=?",
                    (",".join(had + more), r[0]),
                )

    def deliveries(self, job_id: int) -> list[Delivery]:
        rows = self._all(f"SELECT {_DELIVERY} FROM deliveries d WHERE job_id=? ORDER BY id", (job_id,))
        return [_delivery(r) for r in rows]

    def pending_deliveries(self) -> list[Delivery]:
        """Deliveries of finished jobs not yet made: the finish was seen by no process that makes them,
        or by one that died while making them."""
        marks = ",".join("?" * len(FINAL_STATES))
        rows = self._all(
            f"SELECT {_DELIVERY} FROM deliveries d "
            f"JOIN jobs j ON j.id = d.job_id WHERE {_UNCLAIMED} AND d.formats <> '' "
            f"AND j.state IN ({marks}) ORDER BY d.id",
            (self._clock() - CLAIM_SECONDS, *sorted(FINAL_STATES)),
        )
        return [_delivery(r) for r in rows]

    def claim_delivery(self, delivery_id: int) -> bool:
        """Take a delivery on (True) unless another process has it in hand: each is made once."""
        now = self._clock()
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE deliveries AS d SET settled_at=? WHERE id=? AND {_UNCLAIMED}",
                (now, delivery_id, now - CLAIM_SECONDS),
            )
            return cur.rowcount == 1

    def reopen_delivery(self, delivery_id: int) -> None:
        """The delivery is to be made again (its transcript changed)."""
        with self._tx() as db:
            db.execute("UPDATE deliveries SET settled_at=NULL, outcome=NULL WHERE id=?", (delivery_id,))

    def settle_delivery(self, delivery_id: int, outcome: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE deliveries SET outcome=? WHERE id=?", (stored(outcome), delivery_id))

    # --- files stt-tui wrote ----------------------------------------------------------------------------

    def written_hash(self, path: str) -> str | None:
        """The SHA-256 of what stt-tui last wrote at `path` (None: it never wrote there)."""
        r = self._one("SELECT sha256 FROM written_files WHERE path=?", (stored(path),))
        return None if r is None else str(r[0])

    def record_written(self, path: str, sha256: str, job_id: int) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO written_files (path, sha256, job_id, at) VALUES (?,?,?,?)",
                (stored(path), sha256, job_id, self._clock()),
            )
