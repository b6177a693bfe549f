"""When to ask about which job: a pure, quota-aware schedule (the driver that asks is
service/polling.py).

First check near the expected finish (about 10 s of work per minute of audio per channel), then back
off in proportion to the time already waited, with jitter, never over the hourly status-check budget.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import grpc

from stt_tui.jobs.model import Job, JobState
from stt_tui.shared.speechkit import CHECKS_PER_HOUR, MAX_AUDIO_SECONDS

HOUR = 3600.0


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
