"""One round of keeping a view of the jobs current: check what is due, read what changed, count the budget.

Textual-free: the TUI's loop runs a round, posts what it returns and sleeps; `wait` in the CLI polls
through the same Poller. A profile switch is queued to the loop and taken between rounds, so the old
connection is let go from the thread that used it.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass

from stt_tui.history.feed import Changes, JobFeed
from stt_tui.jobs.model import JobState
from stt_tui.service.facade import Service

ENGINE_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Status:
    """The figures on the status line."""

    checks: int
    budget: int
    paused_for: int
    engine: str
    requests: int = 0
    requests_budget: int = 0  # 0: the backend has no request quota worth showing


@dataclass(frozen=True)
class RoundResult:
    changes: Changes
    status: Status | None = None  # only when it changed since the last round
    trouble: str | None = None  # a new reason the last check failed (said once, not every round)
    next_due: float | None = None  # seconds until the next check is due (None: none is waiting)


def engine_text(running: bool | None, trouble: str | None) -> str:
    if trouble:
        return "backend unreachable"
    if running is None:
        return "cloud"
    return "engine running" if running else "engine off, starts on demand"


class PollRound:
    """Owned by one thread (the loop's); other threads only queue profile switches."""

    def __init__(
        self, service: Service, feed: JobFeed, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.feed = feed
        self._monotonic = monotonic
        self._switches: queue.SimpleQueue[Service] = queue.SimpleQueue()
        self._use(service)

    def _use(self, service: Service) -> None:
        self.service = service
        self.poller = service.poller()
        self._trouble: str | None = None
        self._engine: bool | None = None
        self._engine_checked = -ENGINE_CHECK_SECONDS
        self._status: Status | None = None

    def switch(self, service: Service) -> None:
        """Poll `service` from the next round on (any thread may ask)."""
        self._switches.put(service)

    def _take_switches(self) -> None:
        while True:
            try:
                service = self._switches.get_nowait()
            except queue.Empty:
                return
            if service is not self.service:
                self.service.disconnect()  # closed once the calls still using it (a submit) are done
                self._use(service)

    def run(self) -> RoundResult:
        """One round: due checks (within the budget), the history's changes, the status if it moved."""
        self._take_switches()
        trouble = None
        for job in self.poller.poll_due():
            problem = job.last_error if job.state == JobState.RUNNING else None
            if problem and problem != self._trouble:
                trouble = problem
            self._trouble = problem
        changes = self.feed.changes()
        now = self._monotonic()
        # A job that moved may have started the engine (a submit) or been its last work: look again at
        # once rather than say "engine off" beside a running job for up to five seconds.
        if changes or now - self._engine_checked > ENGINE_CHECK_SECONDS:
            self._engine, self._engine_checked = self.service.engine_running(), now
        profile = self.service.profile
        status = Status(
            self.poller.checks_this_hour(),
            self.poller.policy.budget_per_hour,
            round(self.poller.paused_for()),
            engine_text(self._engine, self._trouble),
            0 if profile.local else self.service.requests_this_hour(),
            0 if profile.local else profile.requests_per_hour,
        )
        changed_status = status if status != self._status else None
        self._status = status
        return RoundResult(changes, changed_status, trouble, self.poller.next_wakeup())
