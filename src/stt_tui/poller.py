"""When to ask about which job: a pure, quota-aware schedule, and a thin driver that asks.

First check near the expected finish (about 10 s of work per minute of audio per channel), then back
off in proportion to the time already waited, with jitter, never over the hourly status-check budget.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc

from .api import OperationState, ProtocolError, ServiceError
from .jobs import Job, JobState
from .speechkit import CHECKS_PER_HOUR, MAX_AUDIO_SECONDS, V3, V3_CHECKS_PER_SECOND

if TYPE_CHECKING:
    from .history import History

HOUR = 3600.0
CODE_CANCELLED = 1


@dataclass(frozen=True)
class PollPolicy:
    budget_per_hour: int = CHECKS_PER_HOUR  # the cloud's OperationService.Get quota
    work_seconds_per_audio_minute: float = 10.0  # per channel, the service's stated speed
    first_check_factor: float = 1.15  # a little after the expected finish: one check usually suffices
    min_first_check: float = 3.0
    backoff_fraction: float = 0.3  # a miss waits this share of the time since submission
    min_interval: float = 2.0
    max_interval: float = 1800.0
    deferred_first_check: float = 2 * HOUR  # deferred-general: low priority, done within 24 h
    deferred_max_interval: float = 2 * HOUR
    jitter: float = 0.1
    error_retry: float = 30.0
    max_error_retry: float = 900.0
    quota_pause: float = 60.0  # the first pause after RESOURCE_EXHAUSTED; it doubles while it lasts


CLOUD_POLICY = PollPolicy()
# The embedded engine has no quota; a generous budget still keeps a runaway loop in check.
# Its checks cost a local call: it is asked often, so a result shows within a fraction of a second.
LOCAL_POLICY = PollPolicy(
    budget_per_hour=200_000,
    work_seconds_per_audio_minute=10.0,  # the default base model on two cores: about 6x real time
    # Well before the expected finish (speeds vary with the audio: VAD skips silence), then every
    # fraction of a second: a result is seen within 0.15-0.8 s of the engine finishing.
    first_check_factor=0.25,
    min_first_check=0.15,
    backoff_fraction=0.02,
    min_interval=0.15,
    max_interval=0.8,
    error_retry=2.0,  # a stopped engine is started again on the next check
    max_error_retry=30.0,
)


PRIOR_WEIGHT = 3.0  # the stated speed counts as this many jobs
MIN_MINUTES = 0.1  # shorter jobs are mostly fixed overhead: they say little about the speed


def learned_speed(observed: Sequence[tuple[float, float]], prior: float) -> float:
    """Seconds of work per audio minute: the stated figure `prior`, moved towards what the recent jobs
    took ((audio minutes, seconds) each), kept within a tenth and ten times the prior (pure)."""
    speeds = [seconds / minutes for minutes, seconds in observed if minutes >= MIN_MINUTES and seconds >= 0]
    estimate = (prior * PRIOR_WEIGHT + sum(speeds)) / (PRIOR_WEIGHT + len(speeds))
    return min(max(estimate, prior / 10), prior * 10)


def expected_work(audio_seconds: float | None, channels: int | None, policy: PollPolicy) -> float:
    """Seconds of recognition to expect for the audio (unknown length: a minute)."""
    minutes = (audio_seconds if audio_seconds is not None else 60.0) / 60.0
    return minutes * max(channels or 1, 1) * policy.work_seconds_per_audio_minute


def _jittered(delay: float, policy: PollPolicy, rand: random.Random) -> float:
    return delay * (1 + policy.jitter * (2 * rand.random() - 1))


def first_check_at(
    submitted_at: float,
    audio_seconds: float | None,
    channels: int | None,
    deferred: bool,
    policy: PollPolicy,
    rand: random.Random,
) -> float:
    """When to ask about a job for the first time."""
    if deferred:
        return submitted_at + _jittered(policy.deferred_first_check, policy, rand)
    delay = max(
        policy.min_first_check, policy.first_check_factor * expected_work(audio_seconds, channels, policy)
    )
    return submitted_at + _jittered(delay, policy, rand)


def next_check_at(
    submitted_at: float, now: float, deferred: bool, policy: PollPolicy, rand: random.Random
) -> float:
    """After a check that found the job unfinished: wait a share of the time already spent."""
    cap = policy.deferred_max_interval if deferred else policy.max_interval
    delay = min(cap, max(policy.min_interval, policy.backoff_fraction * (now - submitted_at)))
    return now + _jittered(delay, policy, rand)


def retry_after_error(errors: int, now: float, policy: PollPolicy, rand: random.Random) -> float:
    """After the n-th failed check in a row (server down, timeout, wrong key): back off exponentially."""
    delay = min(policy.max_error_retry, policy.error_retry * 2 ** min(errors, 10))
    return now + _jittered(delay, policy, rand)


def budget_wait(nth_latest: float | None, now: float, window: float = HOUR) -> float:
    """Seconds until one more call fits in the sliding window (0 when it fits now).

    `nth_latest`: the time of the budget-th most recent call in the window (None: fewer were made);
    it must age out of the window for one more to fit.
    """
    if nth_latest is None:
        return 0.0
    return max(0.0, nth_latest + window - now)


def longest_wait(job: Job, policy: PollPolicy) -> float:
    """The longest a stored schedule can legitimately put a job's next check ahead of now.

    A next check further ahead than this was scheduled by a clock that has since been set back:
    the job is due now, not in an hour.
    """
    if job.options.deferred:
        most = max(policy.deferred_first_check, policy.deferred_max_interval)
    else:
        audio = job.audio_seconds if job.audio_seconds is not None else MAX_AUDIO_SECONDS
        first = policy.first_check_factor * expected_work(audio, job.channels, policy)
        most = max(first, policy.max_interval)
    return max(most, policy.max_error_retry) * (1 + policy.jitter) + 60


def is_due(job: Job, now: float, policy: PollPolicy) -> bool:
    """Whether a running job's stored schedule says to ask about it now (a clock set back counts)."""
    at = job.next_poll_at
    return at is None or at <= now or at - now > longest_wait(job, policy)


def before_deadline(at: float, job: Job, now: float, policy: PollPolicy) -> float:
    """A next check no later than the job's retention deadline allows: the last chance to fetch the
    result is taken before it, and one check just after it settles that the job expired."""
    if job.expires_at is None:
        return at
    if now < job.expires_at - 60:
        return min(at, job.expires_at - 60)
    return min(at, max(now + policy.min_interval, job.expires_at + 60))


def exhausted_pause(strikes: int, first: float = 60.0) -> float:
    """Pause after the n-th RESOURCE_EXHAUSTED in a row: 1, 2, 4 ... minutes, at most an hour."""
    return float(min(first * 2**strikes, HOUR))


# Errors that say nothing about the job: the answer may differ on the next try.
TRANSIENT = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }
)
EXPIRED_MESSAGE = "The service no longer has this result (kept 3 days); it was not stored in time."


def error_outcome(job: Job, now: float, code: grpc.StatusCode, message: str) -> tuple[JobState, str] | None:
    """The final state an error answer puts a job in, or None when the check should be retried.

    The service does not document what it answers for an expired result: NOT_FOUND, or any lasting
    error for an id past its deadline, is read as expired. NOT_FOUND or INVALID_ARGUMENT before the
    deadline means the id is unknown. Anything else (a wrong key, a missing permission, a server down)
    is retried: the user can fix it, and the job is not lost meanwhile.
    """
    past_deadline = job.expires_at is not None and now >= job.expires_at - 60
    if past_deadline and code not in TRANSIENT:
        return JobState.EXPIRED, EXPIRED_MESSAGE
    if code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
        return JobState.FAILED, message
    return None


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
        nth = self.history.nth_latest_call(self.profile, "check", self.policy.budget_per_hour, now - HOUR)
        return budget_wait(nth, now)

    def v3_wait(self) -> float:
        """Seconds until one more check of a v3 operation fits its per-second quota."""
        now = self._clock()
        nth = self.history.nth_latest_call(self.profile, "check_v3", V3_CHECKS_PER_SECOND, now - 1.0)
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
            checked = self.check(job)
            if checked is not None:
                updated.append(checked)
            if self._trouble:
                break  # the next job would most likely meet the same server trouble
        return updated

    def check(self, job: Job) -> Job | None:
        """One status check of one job, counted against the budget, its outcome stored.

        None when the job was forgotten meanwhile (by this process or another): it is simply no longer
        polled, and whatever the answer said is dropped with it.
        """
        from .history import JobNotFound

        now = self._clock()
        self._trouble = False
        self.history.record_call(self.profile, "check", now)
        if job.api == V3:
            self.history.record_call(self.profile, "check_v3", now)
        try:
            try:
                state = self._get(job)
            except ServiceError as exc:
                return self._on_error(job, exc, now)
            except ProtocolError as exc:
                return self._finish(self.history.set_state(job.id, JobState.FAILED, error=str(exc)))
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
            stored = self.history.store_result(
                job.id, state.raw_json(), state=final, error=state.error.message
            )
        else:
            stored = self.history.store_result(
                job.id, state.raw_json(), recognition_json=state.recognition_json()
            )
        return self._finish(stored)

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
            return self._finish(self.history.set_state(job.id, state, error=message))
        self._trouble = True
        at = retry_after_error(job.errors, now, self.policy, self._rand)
        return self.history.schedule(job.id, self._next(job, at, now), error=str(exc))

    def _finish(self, job: Job) -> Job:
        self._on_finished(job)
        return job
