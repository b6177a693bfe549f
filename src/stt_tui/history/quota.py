"""Calls counted against the service's quotas, polling pauses and the service's clock offset, per profile.

Shared through the history by every process that uses it.
"""

from __future__ import annotations

from stt_tui.history.database import Database


class QuotaBook(Database):
    def record_call(self, profile: str, kind: str, at: float | None = None) -> None:
        """Count one call against an hourly quota; events older than a day are dropped on the way."""
        at = self._clock() if at is None else at
        with self._tx() as db:
            db.execute("INSERT INTO quota_events (profile, kind, at) VALUES (?,?,?)", (profile, kind, at))
            db.execute("DELETE FROM quota_events WHERE at < ?", (at - 86400,))

    def calls_since(self, profile: str, kind: str, since: float) -> int:
        """How many calls were made since `since`."""
        row = self._one(
            "SELECT COUNT(*) FROM quota_events WHERE profile=? AND kind=? AND at >= ?", (profile, kind, since)
        )
        return int(row[0]) if row else 0

    def nth_latest_call(self, profile: str, kind: str, n: int, window: float, now: float) -> float | None:
        """The time of the n-th most recent call in the `window` seconds up to `now` (1: the latest), None
        if fewer were made.

        A call stamped after `now` was counted by a clock since set back: made by now at the latest, it
        is stamped now first, and ages out of the window from here. Left as it was, it would stay "the
        latest" for as long as the clock was set back (a per-second quota would stop polling for an hour).
        """
        if self._one("SELECT 1 FROM quota_events WHERE profile=? AND at > ? LIMIT 1", (profile, now)):
            with self._tx() as db:
                db.execute("UPDATE quota_events SET at=? WHERE profile=? AND at > ?", (now, profile, now))
        row = self._one(
            "SELECT at FROM quota_events WHERE profile=? AND kind=? AND at >= ? ORDER BY at DESC "
            "LIMIT 1 OFFSET ?",
            (profile, kind, now - window, n - 1),
        )
        return None if row is None else float(row[0])

    def clock_skew(self, profile: str) -> float:
        """Seconds the service's clock is ahead of this machine's (last measured; 0 when never)."""
        row = self._one("SELECT seconds FROM clock_skews WHERE profile=?", (profile,))
        return float(row[0]) if row else 0.0

    def set_clock_skew(self, profile: str, seconds: float) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO clock_skews (profile, seconds, measured_at) VALUES (?,?,?) "
                "ON CONFLICT (profile) DO UPDATE SET seconds=excluded.seconds, "
                "measured_at=excluded.measured_at",
                (profile, seconds, self._clock()),
            )

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

    def recent_work(self, profile: str, model: str, limit: int = 20) -> list[tuple[float, str, str]]:
        """(audio minutes × channels, service's createdAt, modifiedAt) of the latest done jobs of a profile
        and model: how long the service took, by its own clock (the client's noticing is not counted)."""
        rows = self._all(
            "SELECT j.audio_seconds * MAX(COALESCE(j.channels, 1), 1) / 60.0, "
            "json_extract(r.operation_json, '$.createdAt'), json_extract(r.operation_json, '$.modifiedAt') "
            "FROM jobs j JOIN results r ON r.job_id = j.id "
            "WHERE j.profile=? AND j.state='done' AND json_extract(j.options, '$.model')=? "
            "AND j.audio_seconds > 0 ORDER BY j.id DESC LIMIT ?",
            (profile, model, limit),
        )
        return [(float(r[0]), str(r[1]), str(r[2])) for r in rows if r[1] and r[2]]
