"""The main screen: files and what the highlighted one holds above, the job list below."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from ...config import Profile
from ...preferences import Preferences
from ..widgets.activity import Activity
from ..widgets.file_browser import FileBrowser
from ..widgets.file_info import FileInfo
from ..widgets.job_table import JobTable
from ..widgets.status_line import StatusLine


class MainScreen(Screen[None]):
    """Composes the panes; routes what they ask for to the app, which owns the service."""

    BINDINGS = [
        Binding("escape", "leave_filter", "Close filter", show=False),
    ]

    def __init__(
        self, start: Path, profile: Profile, prefs: Preferences, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__()
        self.start = start
        self.profile = profile
        self.prefs = prefs
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
            yield JobTable(self.profile.poll_policy, self.clock, id="jobs")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.show_profile(self.profile)
        self.browser.show_all = self.prefs.show_all_files
        self.browser.show_hidden = self.prefs.show_hidden_files
        self.jobs.sort_by = self.prefs.job_sort
        self.query_one("#job-filter", Input).display = False
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
    def jobs(self) -> JobTable:
        return self.query_one(JobTable)

    @property
    def browser(self) -> FileBrowser:
        return self.query_one(FileBrowser)

    def update_job_count(self) -> None:
        table = self.jobs
        shown, total = table.row_count, len(table.jobs)
        title = (
            f"Jobs ({total:,})" if shown == total else f"Jobs ({shown:,} of {total:,}: '{table.filter_text}')"
        )
        self.query_one("#jobs-pane").border_title = f"{title} · sorted by {table.sort_by}"

    # --- what the panes ask for ------------------------------------------------------------------

    @on(FileBrowser.Highlighted)
    def _file_highlighted(self, event: FileBrowser.Highlighted) -> None:
        self.query_one(FileInfo).path = event.path

    # FileBrowser.SubmitRequested and JobTable.JobAction bubble on to the app, which owns the service.

    @on(FileBrowser.MarksChanged)
    def _marks_changed(self, event: FileBrowser.MarksChanged) -> None:
        self.query_one(StatusLine).marked = event.count

    @on(JobTable.SortChanged)
    def _sort_changed(self, event: JobTable.SortChanged) -> None:
        self.update_job_count()  # and on to the app, which remembers the order

    @on(JobTable.FilterRequested)
    def _filter_requested(self) -> None:
        box = self.query_one("#job-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#job-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.jobs.filter_text = event.value.strip()
        self.update_job_count()

    @on(Input.Submitted, "#job-filter")
    def _filter_submitted(self) -> None:
        self.action_leave_filter()

    def action_leave_filter(self) -> None:
        box = self.query_one("#job-filter", Input)
        if box.has_focus:
            box.display = bool(box.value)
            self.jobs.focus()
