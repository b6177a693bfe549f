"""The figures of the totals screen: jobs by state, and audio sent per profile and model, today and this
month (summed over channels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from stt_tui.history import History
from stt_tui.jobs.model import JobState


@dataclass(frozen=True)
class Totals:
    by_state: Mapping[JobState, int]
    today: list[tuple[str, str, float]]  # (profile, model, seconds summed over channels)
    month: list[tuple[str, str, float]]


def read_totals(history: History, now: float) -> Totals:
    """Read the figures (off the event loop)."""
    day, month = day_and_month_start(now)
    return Totals(history.count_by_state(), history.audio_sent(day), history.audio_sent(month))


def day_and_month_start(now: float) -> tuple[float, float]:
    """Local midnight today and on the first of this month, as timestamps (pure)."""
    local = datetime.fromtimestamp(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.timestamp(), day.replace(day=1).timestamp()
