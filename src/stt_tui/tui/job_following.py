"""Following the jobs: the poll loop's thread, woken when a job changes here, and what it learns handed
to the main screen; an ending that needs a person and a result nearing its expiry said (the app mixes
this in)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import on, work
from textual.worker import get_current_worker

from stt_tui.jobs.model import Job
from stt_tui.service.poll_round import PollRound
from stt_tui.tui import notices
from stt_tui.tui.main.screen import MainScreen
from stt_tui.tui.messages import JobsChanged, PollSoon, PollStatus
from stt_tui.tui.notifying import NotifyingApp
from stt_tui.tui.open_jobs import OpenJobs
from stt_tui.tui.poll_loop import run_rounds
from stt_tui.tui.shutting_down import while_shown


class JobFollowing(NotifyingApp):
    main: MainScreen
    clock: Callable[[], float]
    _wake: threading.Event  # a submit or an action wants the poll loop to look now
    _open: OpenJobs

    @work(thread=True, group="poll", exclusive=True, exit_on_error=False, description="poll jobs")
    def poll_loop(self, rounds: PollRound) -> None:
        run_rounds(rounds, self.post_message, self._wake, get_current_worker())

    @on(PollSoon)
    def wake_poller(self) -> None:
        """Something changed a job: the poll loop looks now rather than at its next round."""
        self._wake.set()

    @on(JobsChanged)
    @while_shown
    def _jobs_changed(self, event: JobsChanged) -> None:
        for job in self._open.apply(event.changes):
            self._announce(job)
        self.main.jobs_changed(event.changes, self._open.running())

    def _announce(self, job: Job) -> None:
        # An ending is counted on the status line; only one that needs a person is a notification.
        self.main.job_ended(job)
        message, severity = notices.ending(job)
        if severity == "error":
            self.alert(message, severity)
        self.tell_when_away(job.state.value)

    @on(PollStatus)
    @while_shown
    def _poll_status(self, event: PollStatus) -> None:
        self.main.show_status(event.status)

    def _expiry_alerts(self) -> None:
        now = self.clock()
        for job in self._open.newly_expiring(now):
            self.alert(notices.expiring(job, now)[0])
