"""The main screen: files and what the highlighted one holds above, the job list below."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import get_current_worker

from stt_tui.audio import probe as audio
from stt_tui.jobs.model import Job
from stt_tui.settings.config import Profile
from stt_tui.settings.preferences import Preferences
from stt_tui.shared.wording import printable
from stt_tui.tui.messages import Remember, SubmitEnded, SubmitProgress
from stt_tui.tui.notices import refusal_text, summary
from stt_tui.tui.widgets.activity import Activity, activity_label
from stt_tui.tui.widgets.file_browser import FileBrowser
from stt_tui.tui.widgets.file_info import FileInfo
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.job_rows import COLUMNS
from stt_tui.tui.widgets.key_footer import KeyFooter
from stt_tui.tui.widgets.status_line import StatusLine


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
        self.refusals: list[tuple[str, str]] = []  # (file, why) of the batches under way
        self.clock = clock
        self._durations: dict[Path, float] = {}  # audio time of files marked once, by path

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            with Vertical(id="files-pane"):
                yield Input(placeholder="filter: words of the name, or a glob: *.wav", id="file-filter")
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
        yield KeyFooter()

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
        """A file of a batch was sent, linked or refused (or the batch stopped): one count; the refusals
        are said together when the batch is over."""
        self.submitting = max(self.submitting - 1 - event.dropped, 0)
        if event.error:
            self.refusals.append((event.name, event.error))
            self.tally["refused"] += 1 + event.dropped
        elif event.linked:
            self.tally["skipped"] += 1
        elif event.job is not None:
            self.tally["submitted"] += 1
        self.query_one(StatusLine).summary = summary(self.tally)
        if not self.submitting:
            self.query_one(Activity).fraction = None
            self._say_refusals()

    def _say_refusals(self) -> None:
        refusals, self.refusals = self.refusals, []
        if len(refusals) == 1:
            name, error = refusals[0]
            self.notify(error, title=f"{name} was not submitted", severity="error", timeout=10)
        elif refusals:
            self.notify(refusal_text(refusals), title=f"{len(refusals)} files were not submitted",
                        severity="error", timeout=20)  # fmt: skip

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
        status = self.query_one(StatusLine)
        status.marked = event.count
        status.marked_seconds = None
        if event.paths:
            self._time_marks(event.paths)

    @work(thread=True, exclusive=True, group="marked-time", exit_on_error=False)
    def _time_marks(self, paths: frozenset[Path]) -> None:
        """The audio time of the marked files (probed once each; unreadable ones count nothing)."""
        total = 0.0
        for path in paths:
            if get_current_worker().is_cancelled:
                return
            if path not in self._durations:
                try:
                    self._durations[path] = audio.probe(path).duration
                except audio.ProbeError:
                    self._durations[path] = 0.0
            total += self._durations[path]
        self.app.call_from_thread(setattr, self.query_one(StatusLine), "marked_seconds", total)

    @on(FileBrowser.FilterRequested)
    def _file_filter_requested(self) -> None:
        self._show_filter("#file-filter")

    @on(Input.Changed, "#file-filter")
    def _file_filter_changed(self, event: Input.Changed) -> None:
        self.browser.name_filter = event.value.strip()

    @on(Input.Submitted, "#file-filter")
    def _file_filter_submitted(self) -> None:
        self.browser.focus()

    @on(JobList.SortChanged)
    def _sort_changed(self, event: JobList.SortChanged) -> None:
        self.update_job_count()
        self.post_message(Remember({"job_sort": event.sort_by, "job_descending": event.descending}))

    @on(JobList.Counted)
    @on(JobList.MarksChanged)
    def _counted(self) -> None:
        self.update_job_count()

    @on(JobList.FilterRequested)
    def _filter_requested(self) -> None:
        self._show_filter("#job-filter")

    def _show_filter(self, selector: str) -> None:
        box = self.query_one(selector, Input)
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
        """Esc in a filter box leaves it; Esc in its list clears an active filter."""
        for selector, pane in (("#file-filter", self.browser), ("#job-filter", self.jobs)):
            box = self.query_one(selector, Input)
            if box.has_focus:
                box.display = bool(box.value)
                pane.focus()
                return
            if pane.has_focus and box.value:
                box.value = ""
                box.display = False
                return
