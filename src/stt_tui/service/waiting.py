"""Waiting for jobs to end: polled on their stored schedule, inside the hourly budget, until each is
finished or the timeout passes; and one status check of a running job asked for now."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from stt_tui.history import JobNotFound
from stt_tui.jobs.model import FINAL_STATES, Job, JobState
from stt_tui.service.context import Context
from stt_tui.service.errors import UserError
from stt_tui.service.polling import Poller

LONGEST_SLEEP = 5.0  # a look at the history at least this often: another process may end a job


def refresh(context: Context, poller: Poller, job: Job) -> Job:
    """Ask about one running job now (counted against the budget)."""
    if job.state != JobState.RUNNING:
        raise UserError(f"Job #{job.id} is {job.state.value}; there is nothing to ask the service.")
    context.require_own(job)
    checked = poller.poll_one(job)
    if checked is None:
        raise UserError(f"Job #{job.id} was forgotten meanwhile.")
    return checked


def wait(
    context: Context,
    poller: Poller,
    jobs: Iterable[Job],
    timeout: float | None,
    on_update: Callable[[Job], None],
    sleep: Callable[[float], None],
) -> list[Job]:
    """Poll on the stored schedule until every job is finished (or the timeout passes).

    The timeout runs on the monotonic clock, so a wall clock set back or forward changes nothing.
    A job forgotten meanwhile (by another process) is left out of the answer.
    """
    jobs = list(jobs)
    for job in jobs:
        if job.state not in FINAL_STATES:
            context.require_own(job)
    ids = [j.id for j in jobs]
    deadline = None if timeout is None else context.monotonic() + timeout
    while True:
        current = _current(context, ids)
        if all(j.state in FINAL_STATES for j in current):
            return current
        if deadline is not None and context.monotonic() >= deadline:
            return current
        checked = poller.poll_due(only=ids)
        for job in checked:
            on_update(job)
        if any(job.state in FINAL_STATES for job in checked):
            continue  # one has just ended: look again before any sleep (it may have been the last)
        wake = poller.next_wakeup(only=ids)
        # None: nothing pollable yet (another process is still submitting); look again soon.
        delay = 1.0 if wake is None else wake
        if deadline is not None:
            delay = min(delay, max(0.0, deadline - context.monotonic()))
        if delay > 0:
            sleep(min(delay, LONGEST_SLEEP))


def _current(context: Context, ids: list[int]) -> list[Job]:
    """The jobs as the history has them now; an id forgotten meanwhile is dropped from `ids`."""
    current = []
    for i in list(ids):
        try:
            current.append(context.history.get(i))
        except JobNotFound:
            ids.remove(i)
    return current
