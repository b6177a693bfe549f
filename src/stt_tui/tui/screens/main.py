"""The main screen: files and what the highlighted one holds above, the job list below."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from ...config import Profile
from ...jobs import Job
from ...preferences import Preferences
from ...wording import printable
from ..messages import Remember, SubmitEnded, SubmitProgress
from ..notices import summary
from ..widgets.activity import Activity, activity_label
from ..widgets.file_browser import FileBrowser
from ..widgets.file_info import FileInfo
from ..widgets.job_list import JobList
from ..widgets.job_rows import COLUMNS
from ..widgets.status_line import StatusLine


class MainScreen(Screen[None]):
    """Composes the panes; routes what they ask for to the app, which owns the service."""

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
            "app.totals",
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
        self.prefs = prefs
        self.submitting = 0  # files of the batches under way, not yet sent or refused
        self.tally: Counter[str] = Counter()  # what the current batch came to: submitted, done...
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield FileBrowser(self.start, id="files")
            info = FileInfo(id="file-info")
            info.border_title = "File"
            yield info
        with Vertical(id="jobs-pane") as pane:
            pane.border_title = "Jobs"
            yield Activity(id="activity")
            yield Input(placeholder="filter: words in the file name, state, id or language", id="job-filter")
            yield JobList(self.profile.poll_policy, self.clock, id="jobs")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.show_profile(self.profile)
        self.browser.show_all = self.prefs.show_all_files
        self.browser.show_hidden = self.prefs.show_hidden_files
        self.jobs.sort_by, self.jobs.descending = self.prefs.job_order()
        box = self.query_one("#job-filter", Input)
        box.value = self.prefs.job_filter  # the filter left on last time, shown as it is applied
        box.display = bool(box.value)
        self.query_one(FileBrowser).focus()

    def show_profile(self, profile: Profile) -> None:
        """The profile in use: named on the status line; its polling policy sizes expected times."""
        self.profile = profile
        status = self.query_one(StatusLine)
        status.profile = profile.name
        status.budget = profile.poll_policy.budget_per_hour
        status.checks = status.requests = 0
        status.requests_budget = 0 if profile.local else profile.requests_per_hour
        status.engine = "starting…" if profile.local else "cloud"
        self.jobs.policy = profile.poll_policy

    @property
    def jobs(self) -> JobList:
        return self.query_one(JobList)

    @property
    def browser(self) -> FileBrowser:
        return self.query_one(FileBrowser)

    # --- what a batch of submissions says -----------------------------------------------------------

    def batch_started(self, files: int) -> None:
        if not self.submitting and not self.query_one(StatusLine).running:
            self.tally.clear()  # a new batch once the last one is over: count it afresh
        self.submitting += files

    def show_progress(self, event: SubmitProgress) -> None:
        activity = self.query_one(Activity)
        activity.label = activity_label(event.name, event.stage, max(self.submitting - 1, 0))
        activity.fraction = event.fraction

    def file_ended(self, event: SubmitEnded) -> None:
        """A file of a batch was sent or refused (or the batch stopped): one count, no notification
        unless it needs a person."""
        self.submitting = max(self.submitting - 1 - event.dropped, 0)
        if not self.submitting:
            self.query_one(Activity).fraction = None
        if event.error:
            self.notify(event.error, title=f"{event.name} was not submitted", severity="error", timeout=10)
            self.tally["refused"] += 1 + event.dropped
        elif event.job is not None:
            self.tally["submitted"] += 1
        self.query_one(StatusLine).summary = summary(self.tally)

    def job_ended(self, job: Job) -> None:
        self.tally[job.state.value] += 1
        self.query_one(StatusLine).summary = summary(self.tally)

    def update_job_count(self) -> None:
        table = self.jobs
        shown, total = table.row_count, table.total
        title = f"Jobs ({total:,})"
        if table.filter_text:
            title = f"Jobs ({shown:,} of {total:,}: '{printable(table.filter_text)}')"
        if table.marked:
            title += f" · {len(table.marked):,} marked"
        column = dict((key, label) for key, label, _ in COLUMNS)[table.sort_by]
        arrow = "▼" if table.descending else "▲"
        self.query_one("#jobs-pane").border_title = f"{title} · sorted by {column} {arrow}"

    # --- what the panes ask for ------------------------------------------------------------------

    @on(FileBrowser.Highlighted)
    def _file_highlighted(self, event: FileBrowser.Highlighted) -> None:
        self.query_one(FileInfo).path = event.path

    # FileBrowser.SubmitRequested and JobList.JobAction bubble on to the app, which owns the service.

    @on(FileBrowser.MarksChanged)
    def _marks_changed(self, event: FileBrowser.MarksChanged) -> None:
        self.query_one(StatusLine).marked = event.count

    @on(JobList.SortChanged)
    def _sort_changed(self, event: JobList.SortChanged) -> None:
        self.update_job_count()
        self.post_message(Remember({"job_sort": event.sort_by, "job_descending": event.descending}))

    @on(FileBrowser.FolderChanged)
    def _folder_changed(self, event: FileBrowser.FolderChanged) -> None:
        self.post_message(Remember({"last_folder": str(event.path)}))

    @on(JobList.Counted)
    @on(JobList.MarksChanged)
    def _counted(self) -> None:
        self.update_job_count()

    @on(JobList.FilterRequested)
    def _filter_requested(self) -> None:
        box = self.query_one("#job-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#job-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.jobs.filter_text = event.value.strip()
        self.post_message(Remember({"job_filter": self.jobs.filter_text}))

    @on(Input.Submitted, "#job-filter")
    def _filter_submitted(self) -> None:
        self.action_leave_filter()

    def action_leave_filter(self) -> None:
        """Esc in the filter box leaves it; Esc in the job list clears an active filter."""
        box = self.query_one("#job-filter", Input)
        if box.has_focus:
            box.display = bool(box.value)
            self.jobs.focus()
        elif self.jobs.has_focus and box.value:
            box.value = ""
            box.display = False
