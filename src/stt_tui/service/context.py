"""What the use cases of one profile share: its settings, the history, the connection, the content index,
the clocks, and where warnings go. Each use case takes this, never the facade (facade.py) over them."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from stt_tui.connection.backend import Backend
from stt_tui.history import History
from stt_tui.jobs.model import Job
from stt_tui.jobs.schedule import HOUR, PollPolicy, budget_wait, learned_speed
from stt_tui.service.content import ContentIndex
from stt_tui.service.errors import UserError
from stt_tui.settings.config import Profile
from stt_tui.shared.paths import Paths


@dataclass
class Context:
    paths: Paths
    profile: Profile
    history: History
    backend: Backend
    content: ContentIndex
    clock: Callable[[], float]
    rand: random.Random
    monotonic: Callable[[], float]
    warn: Callable[[str], None]  # trouble that stops nothing (an object left in the bucket)
    tell: Callable[[str], None]  # what was done unasked (transcripts written beside the audio)

    @property
    def outbox(self) -> Path:
        return self.paths.outbox

    def require_own(self, job: Job) -> None:
        """UserError unless the job was sent through this profile: its operation lives at another
        backend, and asking this one would be wrong, or would never end."""
        if job.profile != self.profile.name:
            raise UserError(
                f"Job #{job.id} belongs to the {job.profile} profile; switch to it to check or cancel "
                "the job."
            )

    def local_time(self, server_time: float) -> float:
        """A time on the service's clock, on this machine's (by the skew measured at the last submit)."""
        return server_time - self.history.clock_skew(self.profile.name)

    def requests_this_hour(self) -> int:
        """Recognition requests sent in the last hour under this profile (by any process)."""
        return self.history.calls_since(self.profile.name, "submit", self.clock() - HOUR)

    def request_wait(self) -> float:
        """Seconds until one more recognition request fits in the hourly quota (0: now)."""
        now = self.clock()
        limit = self.profile.requests_per_hour
        return budget_wait(self.history.nth_latest_call(self.profile.name, "submit", limit, HOUR, now), now)

    def working_policy(self, model: str) -> PollPolicy:
        """The profile's polling policy with the speed its recent jobs of `model` were done at (by the
        service's own timestamps), the stated speed as the prior."""
        policy = self.profile.poll_policy
        observed = []
        for minutes, created, modified in self.history.recent_work(self.profile.name, model):
            with contextlib.suppress(ValueError):
                took = datetime.fromisoformat(modified) - datetime.fromisoformat(created)
                observed.append((minutes, took.total_seconds()))
        speed = learned_speed(observed, policy.work_seconds_per_audio_minute)
        return dataclasses.replace(policy, work_seconds_per_audio_minute=speed)
