"""Voices remembered across recordings: a name a person gave a speaker, the prints of that speaker's speech
in the jobs that taught it, and the speakers of other jobs recognized by it. Prints are bytes here (the
service computes and compares them); a job forgotten takes its prints and matches with it (schema 13)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stt_tui.history.database import Database


@dataclass(frozen=True)
class Taught:
    """One job's print of a named voice."""

    voice_id: int
    name: str
    job_id: int
    print: bytes
    seconds: float


@dataclass(frozen=True)
class Voice:
    """A remembered voice: the jobs that taught it, those it was recognized in, and when it was last heard
    (the newest of those jobs' times)."""

    name: str
    taught_by: tuple[int, ...]
    heard_in: tuple[int, ...]
    last_heard: float


class VoiceBook(Database):
    def teach(self, job_id: int, channel: int, name: str, print_: bytes, seconds: float) -> None:
        """Speaker `channel` of the job is the voice `name` (made if new), by this print of its speech there;
        a print the speaker had under another name goes, and so does its match."""
        with self._tx() as db:
            db.execute("INSERT INTO voices (name) VALUES (?) ON CONFLICT (name) DO NOTHING", (name,))
            # Deleted then inserted, not updated: the old voice, if no job teaches it any more, goes.
            db.execute("DELETE FROM voice_prints WHERE job_id=? AND channel=?", (job_id, channel))
            db.execute(
                "INSERT INTO voice_prints (job_id, channel, voice_id, print, seconds, at) "
                "SELECT ?, ?, id, ?, ?, ? FROM voices WHERE name=?",
                (job_id, channel, print_, seconds, self._clock(), name),
            )
            db.execute("DELETE FROM voice_matches WHERE job_id=? AND channel=?", (job_id, channel))

    def unteach(self, job_id: int, channel: int) -> tuple[bytes, float] | None:
        """Speaker `channel` of the job teaches no voice now, nor is recognized as one; its print and
        seconds, if it had one (for the speaker's new name)."""
        with self._tx() as db:
            row = db.execute(
                "SELECT print, seconds FROM voice_prints WHERE job_id=? AND channel=?", (job_id, channel)
            ).fetchone()
            db.execute("DELETE FROM voice_prints WHERE job_id=? AND channel=?", (job_id, channel))
            db.execute("DELETE FROM voice_matches WHERE job_id=? AND channel=?", (job_id, channel))
        return (bytes(row[0]), float(row[1])) if row else None

    def taught(self, except_job: int | None = None) -> list[Taught]:
        """Every print of every named voice, but those `except_job` taught."""
        rows = self._all(
            "SELECT v.id, v.name, p.job_id, p.print, p.seconds FROM voice_prints p "
            "JOIN voices v ON v.id = p.voice_id WHERE p.job_id IS NOT ? ORDER BY v.id, p.job_id",
            (except_job,),
        )
        return [Taught(int(r[0]), str(r[1]), int(r[2]), bytes(r[3]), float(r[4])) for r in rows]

    def recognized(self, job_id: int, matches: Iterable[tuple[int, int, float]]) -> None:
        """The job's speakers recognized by voice, as (channel, voice id, similarity): they replace the ones
        recognized before. A voice forgotten meanwhile is left out."""
        with self._tx() as db:
            db.execute("DELETE FROM voice_matches WHERE job_id=?", (job_id,))
            db.executemany(
                "INSERT INTO voice_matches (job_id, channel, voice_id, similarity) "
                "SELECT ?, ?, id, ? FROM voices WHERE id=?",
                [(job_id, channel, similarity, voice) for channel, voice, similarity in matches],
            )

    def voices(self) -> list[Voice]:
        """Every remembered voice, the one heard last first."""
        rows = self._all(
            "SELECT v.name, "
            "(SELECT group_concat(job_id) FROM (SELECT job_id FROM voice_prints WHERE voice_id=v.id "
            " ORDER BY job_id)), "
            "(SELECT group_concat(job_id) FROM (SELECT job_id FROM voice_matches WHERE voice_id=v.id "
            " ORDER BY job_id)), "
            "(SELECT MAX(COALESCE(j.done_at, j.created_at)) FROM jobs j WHERE j.id IN "
            " (SELECT job_id FROM voice_prints WHERE voice_id=v.id "
            "  UNION SELECT job_id FROM voice_matches WHERE voice_id=v.id)) AS last "
            "FROM voices v ORDER BY last DESC, v.name"
        )
        return [Voice(str(r[0]), _ids(r[1]), _ids(r[2]), float(r[3] or 0.0)) for r in rows]

    def forget_voice(self, name: str) -> bool:
        """The voice is forgotten: its prints, and the speakers recognized by it. False: no such voice."""
        with self._tx() as db:
            return db.execute("DELETE FROM voices WHERE name=?", (name,)).rowcount > 0


def _ids(joined: str | None) -> tuple[int, ...]:
    return tuple(int(i) for i in joined.split(",")) if joined else ()
