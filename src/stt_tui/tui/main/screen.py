"""The main screen: files and what the highlighted one holds above, the job list below, the status line.

It hands its panes what they work with (the service, the preferences, the folder being browsed) and
sums up for the status line what they report: a batch of submissions, the marked files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from stt_tui.jobs.model import Job
from stt_tui.outputs.totals import Totals
from stt_tui.service import Changes
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.service.poll_round import Status, engine_text
from stt_tui.settings.config import Profile
from stt_tui.settings.preferences import Preferences
from stt_tui.tui.keys_in_order import KeyHold, hold_keys
from stt_tui.tui.main.files import FilesPane
from stt_tui.tui.main.jobs import JobsPane
from stt_tui.tui.messages import (
    ActionFailed,
    MarksCounted,
    ResubmitRequested,
)
from stt_tui.tui.notices import refusal_text, summary
from stt_tui.tui.screens.totals import TotalsScreen
from stt_tui.tui.widgets.file_browser import FileBrowser
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.job_rows import JobSource
from stt_tui.tui.widgets.key_footer import KeyFooter
from stt_tui.tui.widgets.status_line import StatusLine
from stt_tui.tui.workers import SaysWorkerFailures

# In place of the backend's state while the profile lacks what it needs: the profile list says what.
NOT_READY = "not ready: P says why"


class MainScreen(SaysWorkerFailures, Screen[None]):
    """Composes the panes; sets what they work with, and shows on the status line what they report."""

    BINDINGS = [
        Binding(
            "q",
            "app.quit",
            "Quit",
            tooltip="Quit (running jobs go on; they are polled next time)",
            id="main.quit",
        ),
        Binding(
            "t",
            "totals",
            "Totals",
            show=False,
            tooltip="Jobs by state; audio sent, day and month",
            id="main.totals",
        ),
        Binding(
            "escape",
            "leave_filter",
            "Clear filter",
            show=False,
            tooltip="Leave, or clear, the filter",
            id="main.leave-filter",
        ),
    ]

    def __init__(
        self, start: Path, profile: Profile, prefs: Preferences, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__()
        self.start = start
        self.profile = profile
        self.unready = False  # the profile cannot be used as it is (no credentials...)
        self.prefs = prefs
        self.service: Service | None = None
        self.clock = clock

    def compose(self) -> ComposeResult:
        files = FilesPane(self.start, id="top")
        jobs = JobsPane(self.profile.poll_policy, self.clock, id="jobs-pane")
        jobs.border_title = "Jobs"
        for pane in (files, jobs):
            pane.prefs = self.prefs  # before they mount: the job list's order and filter come from them
        yield files
        yield jobs
        yield StatusLine(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_profile(self.profile)
        self.browser.show_all = self.prefs.show_all_files
        self.browser.show_hidden = self.prefs.show_hidden_files
        self.jobs_pane.browsing = self.start
        self.browser.focus()

    @property
    def files(self) -> FilesPane:
        return self.query_one(FilesPane)

    @property
    def jobs_pane(self) -> JobsPane:
        return self.query_one(JobsPane)

    @property
    def panes(self) -> tuple[FilesPane, JobsPane]:
        return self.files, self.jobs_pane

    @property
    def jobs(self) -> JobList:
        return self.query_one(JobList)

    @property
    def browser(self) -> FileBrowser:
        return self.query_one(FileBrowser)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    # --- what the app sets ----------------------------------------------------------------------

    def use_service(
        self, service: Service, reader: JobSource | None = None, jobs: Iterable[Job] = ()
    ) -> None:
        """The service new work goes to (the history is open); `reader`: the job list's own connection."""
        self.service = service
        if reader is not None:  # the history has just been opened
            self.jobs_pane.attach(reader, jobs)
            self._build_index(service)
        for pane in self.panes:
            pane.service = service

    def cannot_load(self, why: str) -> None:
        """The history could not be opened: every action says so."""
        for pane in self.panes:
            pane.load_error = why

    def use_prefs(self, prefs: Preferences) -> None:
        self.prefs = prefs
        for pane in self.panes:
            pane.prefs = prefs

    def show_profile(self, profile: Profile, problem: str = "") -> None:
        """The profile in use: named on the status line, which says while it cannot be used (`problem`:
        no credentials...); its polling policy sizes expected times."""
        self.profile = profile
        self.unready = bool(problem)
        self.files.unready = problem
        status = self.status
        status.profile = profile.name
        status.budget = profile.poll_policy.budget_per_hour
        status.checks = status.requests = 0
        status.requests_budget = 0 if profile.local else profile.requests_per_hour
        status.engine = NOT_READY if problem else "starting…" if profile.local else "cloud"
        self.jobs.policy = profile.poll_policy

    def show_status(self, figures: Status) -> None:
        """The polling budget, the request budget and the backend's state, as the poll loop found them."""
        status = self.status
        status.checks, status.budget = figures.checks, figures.budget
        status.paused_for = figures.paused_for
        sending = self.files.work.look().sending
        status.engine = NOT_READY if self.unready else self._engine_said(figures.engine, sending)
        status.requests, status.requests_budget = figures.requests, figures.requests_budget

    def jobs_changed(self, changes: Changes, running: int) -> None:
        """Rows added, changed or removed by anyone; `running`: how many jobs run now."""
        self.jobs.apply(changes.changed, changes.removed)
        self.show_running(running)
        self.files.jobs_changed(changes.changed)

    def show_running(self, running: int) -> None:
        self.status.running = running
        self.files.work.running = running  # a batch started while jobs run adds to their count

    def ask_export(self, job: Job, channels: list[int]) -> None:
        self.jobs_pane.ask_export(job, channels)

    def open_transcript(self, job_id: int, at: int | None = None, hold: KeyHold | None = None) -> None:
        self.jobs_pane.open_transcript(job_id, at, hold)

    @dataclass
    class IndexProgress(Message):
        """How much of the history the search index holds while it is being built."""

        indexed: int
        stored: int

    @work(thread=True, group="index", exclusive=True, exit_on_error=False, description="index transcripts")
    def _build_index(self, service: Service) -> None:
        """The transcripts stored before the search index existed go into it, newest first."""
        worker = get_current_worker()
        indexed, stored = service.index_counts()

        def progress(done: int, total: int) -> None:
            self.post_message(self.IndexProgress(done, total))

        if indexed < stored:
            progress(indexed, stored)
            service.build_index(progress, lambda: worker.is_cancelled)

    @on(IndexProgress)
    def show_indexing(self, event: IndexProgress) -> None:
        """The search index is being built: said on the status line until it is whole."""
        done = event.indexed >= event.stored
        self.status.indexing = "" if done else f"indexing transcripts {event.indexed:,}/{event.stored:,}"

    def stop_watching(self) -> None:
        self.files.stop_watching()

    # --- what the batches of submissions say --------------------------------------------------------

    @on(FilesPane.WorkChanged)
    def _work_changed(self, event: FilesPane.WorkChanged) -> None:
        """The file pane's batches moved on: the sending state, the file under way, the jobs sent (shown
        at once), what the batches came to; the refusals are said together once they are over."""
        view = event.work.look()
        self.jobs_pane.show_sending(view.sending)
        self.status.engine = self._engine_said(self.status.engine, view.sending)
        self.jobs_pane.show_progress(view.label, view.fraction)
        if view.sent:
            self.jobs.apply(view.sent, ())
        self.status.summary = summary(view.tally)
        if len(view.refusals) == 1:
            name, error = view.refusals[0]
            self.notify(error, title=f"{name} was not submitted", severity="error", timeout=10)
        elif view.refusals:
            self.notify(refusal_text(view.refusals), title=f"{len(view.refusals)} files were not submitted",
                        severity="error", timeout=20)  # fmt: skip

    @staticmethod
    def _engine_said(engine: str, sending: bool) -> str:
        """The engine off while files are on their way to it: it is being started (for a few seconds
        after `Reading … 100%` the line said it was off)."""
        return "engine starting…" if sending and engine == engine_text(False, None) else engine

    def job_ended(self, job: Job) -> None:
        self.status.summary = summary(self.files.work.job_ended(job))

    # --- what the panes ask for ------------------------------------------------------------------

    @on(MarksCounted)
    def _marks_counted(self, event: MarksCounted) -> None:
        self.status.marked = event.count
        self.status.marked_seconds = event.seconds

    @on(FileBrowser.FolderChanged)
    def _folder_changed(self, event: FileBrowser.FolderChanged) -> None:
        self.jobs_pane.browsing = event.path

    @on(ResubmitRequested)
    def _resubmit(self, event: ResubmitRequested) -> None:
        if event.hold.came_late(self, "The files to send again"):
            return
        opened = False
        try:
            opened = self.files.ask(event.paths, None, again=True)
        finally:  # the keys typed after `R` go on to the dialog, or are dropped with the word saying why not
            if opened:
                event.hold.release()
            else:
                event.hold.fail()

    def action_leave_filter(self) -> None:
        """Esc in a filter box leaves it; Esc in its list clears an active filter."""
        if not self.files.leave_filter():
            self.jobs_pane.leave_filter()

    @dataclass
    class TotalsReady(Message):
        """The counts and audio sums for the totals screen."""

        totals: Totals
        hold: KeyHold

    def action_totals(self) -> None:
        if (service := self.service) is not None:
            self._count(service, hold_keys(self))  # the keys typed after `t` are for the totals

    @work(thread=True, group="totals", exclusive=True, exit_on_error=False, description="count jobs")
    def _count(self, service: Service, hold: KeyHold) -> None:
        with hold.until_passed_on() as passed_on:
            try:
                self.post_message(self.TotalsReady(service.totals(), hold))
                passed_on()
            except EXPECTED_FAILURES as exc:
                self.post_message(ActionFailed(str(exc)))

    @on(TotalsReady)
    def _totals_ready(self, event: TotalsReady) -> None:
        if event.hold.came_late(self, "The totals"):
            return
        try:
            self.app.push_screen(TotalsScreen(event.totals))
        finally:
            event.hold.release()
