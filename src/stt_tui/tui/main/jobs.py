"""The jobs side of the main screen: the job list, its filter, and what is done to jobs from it (open,
details, export, check, cancel, forget, re-submit, copy). Each action takes the jobs it acts on (the marked
ones, else the one under the cursor), asks before what cannot be undone, and runs its calls in this pane's
thread workers; a bulk action ends in one notification, not one per job."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input

from stt_tui.jobs.model import Job, JobState
from stt_tui.jobs.schedule import PollPolicy
from stt_tui.outputs.export import Utterance
from stt_tui.outputs.formatting import no_transcript
from stt_tui.service import Edits
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.settings.preferences import Preferences
from stt_tui.shared.wording import plural, printable
from stt_tui.tui.keys_in_order import KeyHold
from stt_tui.tui.messages import (
    ActionDone,
    ActionFailed,
    PollSoon,
    Remember,
    ResubmitRequested,
)
from stt_tui.tui.pager_editor import editor, pager, run_outside
from stt_tui.tui.screens.bulk_export import BulkChoice, BulkExportScreen, targets
from stt_tui.tui.screens.confirm import ConfirmScreen
from stt_tui.tui.screens.details import DetailsScreen
from stt_tui.tui.screens.export import ExportChoice, ExportScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from stt_tui.tui.widgets.activity import Activity
from stt_tui.tui.widgets.filter_box import FilterBox
from stt_tui.tui.widgets.job_list import Act, JobList
from stt_tui.tui.widgets.job_rows import COLUMNS, JobSource
from stt_tui.tui.widgets.pane import Pane


def describe(jobs: list[Job]) -> str:
    """'job #4 (talk.wav)' for one, '3 jobs' for several."""
    if len(jobs) == 1:
        job = jobs[0]
        return f"job #{job.id} ({Path(job.file_path).name or job.operation_id})"
    return plural(len(jobs), "job")


class JobsPane(Vertical, Pane):
    """Receives the service, the preferences and the folder being browsed from its screen; posts
    Remember, ResubmitRequested and PollSoon up."""

    prefs: var[Preferences] = var(Preferences)
    browsing: var[Path] = var(Path)  # where an export goes when the job's own folder is not known

    def __init__(self, policy: PollPolicy, clock: Callable[[], float], **kw: Any) -> None:
        super().__init__(**kw)
        self.policy, self.clock = policy, clock

    def compose(self) -> ComposeResult:
        yield Activity(id="activity")
        yield FilterBox(placeholder="filter: words in the file name, state, id or language", id="job-filter")
        yield JobList(self.policy, self.clock, id="jobs")

    def on_mount(self) -> None:
        jobs = self.jobs
        jobs.sort_by, jobs.descending = self.prefs.job_order()
        box = self.query_one("#job-filter", FilterBox)
        box.value = self.prefs.job_filter  # the filter left on last time, shown as it is applied
        box.display = bool(box.value)

    @property
    def jobs(self) -> JobList:
        return self.query_one(JobList)

    # --- data in ------------------------------------------------------------------------------

    def attach(self, reader: JobSource, jobs: Iterable[Job]) -> None:
        """Read the list from `reader` from now on; `jobs` are rows already read (start-up)."""
        self.jobs.attach(reader, jobs)

    def show_sending(self, sending: bool) -> None:
        """Files are on their way to the list (looked at, read, sent): the empty list does not ask for
        them again."""
        self.jobs.sending = sending

    def show_progress(self, label: str, fraction: float | None) -> None:
        """The file being prepared and sent (None: nothing is)."""
        activity = self.query_one(Activity)
        if fraction is not None:
            activity.label = label
        activity.fraction = fraction

    # --- the title, the filter and the order --------------------------------------------------

    @on(JobList.Counted)
    @on(JobList.MarksChanged)
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
        self.border_title = Content(f"{title} · sorted by {column} {arrow}")

    @on(JobList.SortChanged)
    def _sort_changed(self, event: JobList.SortChanged) -> None:
        self.update_job_count()
        self.post_message(Remember({"job_sort": event.sort_by, "job_descending": event.descending}))

    @on(JobList.FilterRequested)
    def _filter_requested(self) -> None:
        self.query_one("#job-filter", FilterBox).open()

    @on(Input.Changed, "#job-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.jobs.filter_text = event.value.strip()
        self.post_message(Remember({"job_filter": self.jobs.filter_text}))

    @on(Input.Submitted, "#job-filter")
    def _filter_submitted(self) -> None:
        self.leave_filter()

    def leave_filter(self) -> bool:
        """Esc in the filter box leaves it; Esc in the list clears an active filter. Whether it did."""
        return self.query_one("#job-filter", FilterBox).leave(self.jobs)

    # --- actions on jobs ----------------------------------------------------------------------

    @on(JobList.JobAction)
    def _job_action(self, event: JobList.JobAction) -> None:
        service = self.usable_service()
        if service is None:
            event.hold.fail()
            return
        jobs, job = event.jobs, event.job
        match event.action:
            case Act.OPEN:
                self._read_transcript(service, job, None, event.hold)
            case Act.DETAILS:
                self._read_details(service, job, event.hold)
            case Act.EXPORT if len(jobs) == 1:
                self.ask_export(job, [])
            case Act.EXPORT:
                self._ask_bulk_export(jobs, service)
            case Act.COPY_ID:
                self._copy_ids(jobs)
            case Act.REFRESH if len(jobs) == 1:
                self._act([job], service.refresh, f"Job #{job.id} checked; it is still running.")
            case Act.REFRESH:
                running = [j for j in jobs if j.state == JobState.RUNNING]
                self._act(running, service.refresh, f"Checked {plural(len(running), 'running job')}.")
            case Act.CANCEL:
                self._ask_cancel(jobs, service)
            case Act.FORGET:
                self._ask_forget(jobs, service)
            case Act.RESUBMIT:
                self._resubmit(jobs, event.hold)
            case Act.PAGER | Act.EDITOR:
                self._open_outside(service, job, pager() if event.action == Act.PAGER else editor())

    def _copy_ids(self, jobs: list[Job]) -> None:
        ids = [j.operation_id for j in jobs if j.operation_id]
        if ids:
            self.app.copy_to_clipboard("\n".join(ids))
            self.notify(f"Copied {ids[0]}." if len(ids) == 1 else f"Copied {len(ids)} operation ids.")
        else:
            self.notify(f"{describe(jobs).capitalize()}: no operation id yet.", severity="warning")

    def _confirm(self, question: str, yes: str, then: Callable[[], object]) -> None:
        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.app.push_screen(ConfirmScreen(question, yes), answered)

    def _ask_cancel(self, jobs: list[Job], service: Service) -> None:
        running = [j for j in jobs if j.state == JobState.RUNNING]
        if not running:
            self.notify(f"{describe(jobs).capitalize()}: nothing is running.", severity="warning")
            return
        self._confirm(
            f"Ask the service to stop {describe(running)}? It may finish anyway.",
            "Cancel jobs" if len(running) > 1 else "Cancel job",
            lambda: self._act(running, service.cancel, f"Asked the service to stop {describe(running)}."),
        )

    def _ask_forget(self, jobs: list[Job], service: Service) -> None:
        question = f"Forget {describe(jobs)}?"
        if any(j.has_transcript for j in jobs):
            question += (
                " Saved transcripts are deleted with them."
                if len(jobs) > 1
                else " Its saved transcript is deleted with it."
            )
        if any(j.state == JobState.RUNNING for j in jobs):
            question += " Running jobs' results will never be fetched."
        forgotten = f"Forgot {describe(jobs)}."
        self._confirm(question, "Forget", lambda: self._act(jobs, service.forget, forgotten))

    def ask_export(self, job: Job, channels: list[int]) -> None:
        """The export dialog for one job (from the list, or from its transcript), then the file written."""
        service = self.usable_service()
        if service is None:
            return
        if not job.has_transcript:
            self.notify(no_transcript(job), severity="warning")
            return
        channels = channels or list(range(1, (job.channels or 1) + 1))
        # Beside the audio, as subtitle players look for it; else in the folder being browsed. Whether
        # the folder still exists is not asked here (no disk access on the event loop): writing says so.
        folder = Path(job.file_path).parent if job.file_path else self.browsing

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self.post_message(Remember({"export_format": choice.fmt}))
                self._act([job], lambda j: self._write_export(service, j, choice), f"Wrote {choice.path}.")

        kind = "speaker" if job.options.speaker_labeling else "channel"
        screen = ExportScreen(folder, job.file_path, job.id, channels, self.prefs.export_format, kind)
        self.app.push_screen(screen, chosen)

    def _ask_bulk_export(self, jobs: list[Job], service: Service) -> None:
        with_text = [j for j in jobs if j.has_transcript]
        if not with_text:
            self.notify(f"None of the {len(jobs)} jobs has a transcript.", severity="warning")
            return

        def chosen(choice: BulkChoice | None) -> None:
            if choice is None:
                return
            self.post_message(Remember({"export_format": choice.fmt}))
            paths = targets(with_text, choice)  # two jobs of one audio file: two names

            def write(job: Job) -> None:
                self._write_export(service, job, ExportChoice(choice.fmt, None, paths[job.id]))

            skipped = len(jobs) - len(with_text)
            note = f" ({plural(skipped, 'job')} without a transcript left out)" if skipped else ""
            self._act(with_text, write, f"Wrote {plural(len(with_text), 'transcript')}{note}.")

        screen = BulkExportScreen(len(with_text), self.browsing, self.prefs.export_format)
        self.app.push_screen(screen, chosen)

    @staticmethod
    def _write_export(service: Service, job: Job, choice: ExportChoice) -> None:
        """Render the stored result and write it whole (see Service.export_to)."""
        service.export_to(job, choice.fmt, choice.path, choice.channel)

    # --- what the workers do -------------------------------------------------------------------

    def open_transcript(self, job_id: int, at: int | None = None, hold: KeyHold | None = None) -> None:
        """The transcript of a job, opened at phrase `at` (a search hit); `hold` on the keys typed after,
        released once it is on screen."""
        hold = hold or KeyHold()
        service = self.usable_service()
        if service is None:
            hold.fail()
        else:
            self._read_transcript(service, job_id, at, hold)

    @dataclass
    class TranscriptReady(Message):
        """A job's stored result, as phrases, ready to show (at a phrase, when a search found it)."""

        job: Job
        items: list[Utterance]
        at: int | None
        hold: KeyHold  # on the keys typed after Enter, released once it is on screen

    @dataclass
    class DetailsReady(Message):
        """A job as stored now, its stored Operation (None when nothing is stored), what a person changed."""

        job: Job
        operation_json: str | None
        edits: Edits
        hold: KeyHold

    @work(thread=True, group="transcript", exit_on_error=False, description="read a result")
    def _read_transcript(self, service: Service, job: Job | int, at: int | None, hold: KeyHold) -> None:
        with hold.until_passed_on() as passed_on:
            try:
                job = service.job(job) if isinstance(job, int) else job
                items = service.phrases(job)
            except EXPECTED_FAILURES as exc:
                self.post_message(ActionFailed(str(exc)))
                return
            self.post_message(self.TranscriptReady(job, items, at, hold))
            passed_on()

    @on(TranscriptReady)
    async def _transcript_ready(self, event: TranscriptReady) -> None:
        if event.hold.came_late(self, f"The transcript of job #{event.job.id}"):
            return
        try:
            await self.app.push_screen(TranscriptScreen(event.job, event.items, self.service, event.at))
        finally:
            event.hold.release()

    @work(thread=True, group="transcript", exit_on_error=False, description="read a job")
    def _read_details(self, service: Service, job: Job, hold: KeyHold) -> None:
        with hold.until_passed_on() as passed_on:
            try:
                details = service.details(job)
            except EXPECTED_FAILURES as exc:
                self.post_message(ActionFailed(str(exc)))
                return
            self.post_message(self.DetailsReady(details.job, details.operation_json, details.edits, hold))
            passed_on()

    @on(DetailsReady)
    async def _details_ready(self, event: DetailsReady) -> None:
        if event.hold.came_late(self, f"The details of job #{event.job.id}"):
            return
        try:
            await self.app.push_screen(DetailsScreen(event.job, event.operation_json, event.edits))
        finally:
            event.hold.release()

    @work(thread=True, group="actions", exit_on_error=False, description="find the files")
    def _resubmit(self, jobs: list[Job], hold: KeyHold) -> None:
        with hold.until_passed_on() as passed_on:
            files = [Path(j.file_path) for j in jobs if j.file_path and Path(j.file_path).is_file()]
            missing = len(jobs) - len(files)
            if missing:
                gone = "imported or gone" if missing > 1 else "imported, or its file is gone"
                self.post_message(ActionFailed(f"{plural(missing, 'job')} cannot be sent again ({gone})."))
            if files:
                self.post_message(ResubmitRequested(files, hold))
                passed_on()

    @dataclass
    class _ToOpen(Message):
        """A transcript's text to open in the user's program (`command`)."""

        command: str
        text: str

    @work(thread=True, group="transcript", exit_on_error=False, description="read a result")
    def _open_outside(self, service: Service, job: Job, command: str) -> None:
        """The transcript (txt export) in the user's $PAGER or $EDITOR, the app suspended meanwhile."""
        try:
            text = service.export(job, "txt")
        except EXPECTED_FAILURES as exc:
            self.post_message(ActionFailed(str(exc)))
            return
        self.post_message(self._ToOpen(command, text))

    @on(_ToOpen)
    def _to_open(self, event: _ToOpen) -> None:
        run_outside(event.command, event.text, self.app.suspend, self.notify)

    @work(thread=True, group="actions", exit_on_error=False, description="a job action")
    def _act(self, jobs: list[Job], act: Callable[[Job], object], done: str) -> None:
        failures: list[str] = []
        for job in jobs:
            try:
                act(job)
            except EXPECTED_FAILURES as exc:
                failures.append(str(exc))
        if failures and len(jobs) == 1:
            self.post_message(ActionFailed(failures[0]))
        elif failures:
            done_count = len(jobs) - len(failures)
            said = f"{done_count} of {len(jobs)} done; {len(failures)} not: {failures[0]}"
            self.post_message(ActionFailed(said))
        else:
            self.post_message(ActionDone(done))
        self.post_message(PollSoon())
