"""The TUI's poll loop: rounds (see poll_round.py) run in a thread worker, what each learns posted."""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.message import Message
from textual.worker import Worker

from stt_tui.service.poll_round import PollRound
from stt_tui.tui.messages import ActionFailed, JobsChanged, PollStatus

FEED_SECONDS = 0.5  # how soon a change to the history (by anyone) shows
TROUBLE_RETRY_SECONDS = 5.0


def run_rounds(
    rounds: PollRound, post: Callable[[Message], object], wake: threading.Event, worker: Worker[None]
) -> None:
    """Until the worker is cancelled; a profile switch is queued to `rounds` and taken between rounds,
    from this thread. `wake` set by anyone makes the next round come now."""
    while not worker.is_cancelled:
        # Cleared before the round, so a wake-up asked for during it is not lost.
        wake.clear()
        try:
            result = rounds.run()
            if result.trouble:
                post(ActionFailed(f"Status check failed: {result.trouble}"))
            if result.changes:
                post(JobsChanged(result.changes))
            if result.status is not None:
                post(PollStatus(result.status))
            # The round asked about everything due; the feed wants a look twice a second, and a check
            # due sooner (the local engine's come every fraction of a second) is made on time.
            delay = FEED_SECONDS if result.next_due is None else min(FEED_SECONDS, max(result.next_due, 0.02))
        except Exception as exc:  # noqa: BLE001  (the loop must outlive any one bad round)
            # Polling is what keeps results from expiring unseen: report, back off, go on.
            post(ActionFailed(f"Polling hit a problem and will retry: {exc}"))
            delay = TROUBLE_RETRY_SECONDS
        wake.wait(delay)
