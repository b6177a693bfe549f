"""The driver that asks about due jobs on the stored schedule (jobs/schedule.py decides when) and records
what it learns in the history."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable

import grpc

from stt_tui.api import OperationState, ProtocolError, ServiceError
from stt_tui.api.operations import OtherApi
from stt_tui.history import History, JobNotFound
from stt_tui.jobs.model import Job, JobState
from stt_tui.jobs.schedule import (
    CLOUD_POLICY,
    HOUR,
    PollPolicy,
    before_deadline,
    budget_wait,
    error_outcome,
    exhausted_pause,
    is_due,
    next_check_at,
    retry_after_error,
)
from stt_tui.service.indexing import index_job
from stt_tui.shared.speechkit import V3, V3_CHECKS_PER_SECOND

CODE_CANCELLED = 1  # google.rpc.Code.CANCELLED in an operation's error


class Poller:
    """Asks about due jobs of one profile and records what it learns in the history."""

    def __init__(
        self,
        history: History,
        profile: str,
        get_operation: Callable[[Job], OperationState],
        policy: PollPolicy = CLOUD_POLICY,
        *,
        clock: Callable[[], float] = time.time,
        rand: random.Random | None = None,
        on_finished: Callable[[Job], None] = lambda job: None,
    ) -> None:
        self.history = history
        self.profile = profile
        self.policy = policy
        self._get = get_operation
        self._clock = clock
        self._rand = rand or random.Random()
        self._on_finished = on_finished
        self._trouble = False  # the last check failed for a reason not about its job

    # --- decisions over the stored schedule --------------------------------------------------

    def checks_this_hour(self) -> int:
        return self.history.calls_since(self.profile, "check", self._clock() - HOUR)

    def wait_for_budget(self) -> float:
        now = self._clock()
        nth = self.history.nth_latest_call(self.profile, "check", self.policy.budget_per_hour, HOUR, now)
        return budget_wait(nth, now)

    def v3_wait(self) -> float:
        """Seconds until one more check of a v3 operation fits its per-second quota."""
        now = self._clock()
        nth = self.history.nth_latest_call(self.profile, "check_v3", V3_CHECKS_PER_SECOND, 1.0, now)
        return budget_wait(nth, now, 1.0)

    def paused_for(self) -> float:
        until, _ = self.history.pause(self.profile)
        left = until - self._clock()
        # A pause never lasts over an hour: one further ahead was set by a clock since set back.
        return max(0.0, left) if left <= HOUR + 60 else 0.0

    def _waiting(self, only: Iterable[int] | None) -> list[Job]:
        wanted = set(only) if only is not None else None
        return [j for j in self.history.pollable(self.profile) if wanted is None or j.id in wanted]

    def next_wakeup(self, only: Iterable[int] | None = None) -> float | None:
        """Seconds until something may be done (0: now); None when no job is waiting."""
        jobs = self._waiting(only)
        if not jobs:
            return None
        now = self._clock()
        soonest = min(0.0 if is_due(j, now, self.policy) else (j.next_poll_at or now) - now for j in jobs)
        due = [j for j in jobs if is_due(j, now, self.policy)]
        paced = self.v3_wait() if due and all(j.api == V3 for j in due) else 0.0
        return max(0.0, soonest, paced, self.paused_for(), self.wait_for_budget())

    # --- the driver --------------------------------------------------------------------------

    def poll_due(self, only: Iterable[int] | None = None) -> list[Job]:
        """Check every due job that the budget allows; return the jobs as they are afterwards."""
        if self.paused_for() > 0:
            return []
        updated = []
        for job in self._waiting(only):
            if not is_due(job, self._clock(), self.policy):
                continue
            if self.wait_for_budget() > 0 or self.paused_for() > 0:
                break
            if job.api == V3 and self.v3_wait() > 0:
                continue  # at most 5 v3 checks a second: this one waits for the next round
            checked = self.poll_one(job)
            if checked is not None:
                updated.append(checked)
            if self._trouble:
                break  # the next job would most likely meet the same server trouble
        return updated

    def poll_one(self, job: Job) -> Job | None:
        """One status check of one job, counted against the budget, its outcome stored.

        None when the job was forgotten meanwhile (by this process or another): it is simply no longer
        polled, and whatever the answer said is dropped with it.
        """
        now = self._clock()
        self._trouble = False
        self.history.record_call(self.profile, "check", now)
        if job.api == V3:
            self.history.record_call(self.profile, "check_v3", now)
        try:
            try:
                try:
                    state = self._get(job)
                except OtherApi as other:  # imported under the other API's name: the operation says which
                    job = self.history.set_api(job.id, other.api)
                    state = self._get(job)
            except ServiceError as exc:
                return self._on_error(job, exc, now)
            except ProtocolError as exc:
                return self._finish(self.history.end_running(job.id, JobState.FAILED, error=str(exc)), job)
            _, strikes = self.history.pause(self.profile)
            if strikes:
                self.history.set_pause(self.profile, 0.0, 0)
            return self.record(job, state, now)
        except JobNotFound:
            return None

    def _next(self, job: Job, at: float, now: float) -> float:
        return before_deadline(at, job, now, self.policy)

    def record(self, job: Job, state: OperationState, now: float) -> Job:
        """Store what an answer about the job says: the whole result when done, else the next check."""
        if not state.done:
            at = next_check_at(job.created_at, now, job.options.deferred, self.policy, self._rand)
            return self.history.schedule(job.id, self._next(job, at, now))
        if state.error is not None:
            final = JobState.CANCELLED if state.error.code == CODE_CANCELLED else JobState.FAILED
            stored = self.history.store_end(job.id, state.raw_json(), state=final, error=state.error.message)
        else:
            recognition = state.recognition_json()
            stored = self.history.store_end(job.id, state.raw_json(), recognition_json=recognition)
        return self._finish(stored, job)

    def _on_error(self, job: Job, exc: ServiceError, now: float) -> Job:
        if exc.code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            self._trouble = True
            _, strikes = self.history.pause(self.profile)
            self.history.set_pause(
                self.profile, now + exhausted_pause(strikes, self.policy.quota_pause), strikes + 1
            )
            return self.history.schedule(job.id, job.next_poll_at or now, error=str(exc))
        outcome = error_outcome(job, now, exc.code, str(exc))
        if outcome is not None:
            state, message = outcome
            return self._finish(self.history.end_running(job.id, state, error=message), job)
        self._trouble = True
        at = retry_after_error(job.errors, now, self.policy, self._rand)
        return self.history.schedule(job.id, self._next(job, at, now), error=str(exc))

    def _finish(self, ended: Job | None, job: Job) -> Job:
        """What follows the end this process stored (`ended`); None: another process ended `job` first,
        and did what follows (its transcripts beside the audio, the service's copy deleted)."""
        if ended is None:
            return self.history.get(job.id)
        index_job(self.history, ended)  # searchable from the moment it is stored
        self._on_finished(ended)
        return ended
