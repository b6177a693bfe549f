"""What a person changed in a transcript: corrected phrases and the names of channels or speakers. A layer
over the stored result, which is never touched: undoing a correction is deleting it."""

from __future__ import annotations

from dataclasses import dataclass, field

from stt_tui.history.database import Database
from stt_tui.history.search import folded_apart


@dataclass(frozen=True)
class Correction:
    n: int  # the phrase, numbered in time order from 0
    channel: int
    text: str
    at: float


@dataclass(frozen=True)
class Edits:
    """A job's corrections by phrase, its names by channel (or speaker) number, and the names of its
    speakers recognized by voice (history/voices.py), which a name given wins over."""

    corrections: dict[int, Correction]
    names: dict[int, str]
    heard: dict[int, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.corrections and not self.names and not self.heard


NO_EDITS = Edits({}, {})


class EditBook(Database):
    def edits(self, job_id: int) -> Edits:
        rows = self._all("SELECT n, channel, text, at FROM corrections WHERE job_id=? ORDER BY n", (job_id,))
        corrections = {int(r[0]): Correction(int(r[0]), int(r[1]), str(r[2]), float(r[3])) for r in rows}
        rows = self._all("SELECT channel, name FROM names WHERE job_id=?", (job_id,))
        names = {int(r[0]): str(r[1]) for r in rows}
        rows = self._all(
            "SELECT m.channel, v.name FROM voice_matches m JOIN voices v ON v.id = m.voice_id "
            "WHERE m.job_id=?",
            (job_id,),
        )
        heard = {int(r[0]): str(r[1]) for r in rows if int(r[0]) not in names}
        return Edits(corrections, names, heard)

    def correct(self, job_id: int, n: int, channel: int, text: str) -> None:
        """Phrase `n` reads `text` from now on, in the view, every export and the search index."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO corrections (job_id, n, channel, text, at) VALUES (?,?,?,?,?) "
                "ON CONFLICT (job_id, n) DO UPDATE SET text=excluded.text, at=excluded.at",
                (job_id, n, channel, text, self._clock()),
            )
            db.execute(
                "UPDATE phrases SET text=?, folded=? WHERE job_id=? AND n=?",
                (text, folded_apart(text), job_id, n),
            )

    def uncorrect(self, job_id: int, n: int, recognized: str) -> None:
        """Phrase `n` reads as the service recognized it again."""
        with self._tx() as db:
            db.execute("DELETE FROM corrections WHERE job_id=? AND n=?", (job_id, n))
            db.execute(
                "UPDATE phrases SET text=?, folded=? WHERE job_id=? AND n=?",
                (recognized, folded_apart(recognized), job_id, n),
            )

    def set_name(self, job_id: int, channel: int, name: str) -> None:
        """Channel (or speaker) `channel` is called `name` ("": by its number again)."""
        with self._tx() as db:
            if name:
                db.execute(
                    "INSERT INTO names (job_id, channel, name) VALUES (?,?,?) "
                    "ON CONFLICT (job_id, channel) DO UPDATE SET name=excluded.name",
                    (job_id, channel, name),
                )
            else:
                db.execute("DELETE FROM names WHERE job_id=? AND channel=?", (job_id, channel))
