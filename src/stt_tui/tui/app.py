"""The Textual app: owns the service and the background work; screens and widgets show what it learns.

Every RPC, probe, conversion and database read runs in a thread worker (the core is synchronous);
workers never touch widgets, they post messages, and the handlers here set what the widgets show.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from .. import audio, loudness, preferences
from ..api import ProtocolError, ServiceError
from ..config import CONFIG_FILE, Config, ConfigError, Profile, builtin_profiles, choose_profile, load_config
from ..credentials import describe_profiles
from ..export import ExportError, utterances
from ..feed import JobFeed
from ..formatting import no_transcript
from ..history import HistoryError
from ..jobs import FINAL_STATES, Job, JobState, RequestOptions, format_duration, seconds_left
from ..outputs import OutputError, write_output
from ..paths import Paths
from ..service import QuotaExceeded, Service, UserError
from ..storage import StorageError
from . import cells
from .messages import (
    ActionDone,
    ActionFailed,
    JobsChanged,
    LoadFailed,
    LoudnessReady,
    Notice,
    PollStatus,
    ProbeReady,
    ProfilesReady,
    ServiceReady,
    SubmitEnded,
    SubmitProgress,
    TranscriptReady,
)
from .screens.confirm import ConfirmScreen
from .screens.export import ExportChoice, ExportScreen
from .screens.help import HelpScreen
from .screens.main import MainScreen
from .screens.profiles import ProfileScreen
from .screens.submit import SubmitScreen
from .screens.transcript import TranscriptScreen
from .widgets.activity import Activity, activity_label
from .widgets.file_browser import FileBrowser
from .widgets.file_info import FileFacts, FileInfo
from .widgets.job_table import JobTable
from .widgets.status_line import StatusLine

FileKey = tuple[str, int, int]  # path, size, mtime: a file as it is now
Probed = tuple[audio.Probe | None, audio.Verdict | None, str | None]

EXPECTED = (UserError, ServiceError, ProtocolError, HistoryError, ConfigError, StorageError, OSError)
LOUDNESS_BUCKETS = 120
ENGINE_CHECK_SECONDS = 5.0
FEED_SECONDS = 0.5  # how soon a change to the history (by anyone) shows
TROUBLE_RETRY_SECONDS = 5.0


M = TypeVar("M", bound=Message)


def while_shown(handler: Callable[[SttApp, M], None]) -> Callable[[SttApp, M], None]:
    """For handlers that update the main screen: a message arriving as the app shuts down, after
    the screen's widgets are gone, has nothing left to update."""

    @functools.wraps(handler)
    def wrapper(self: SttApp, event: M) -> None:
        try:
            handler(self, event)
        except NoMatches:
            if self.is_running:  # not shutting down: a real bug, let it show
                raise

    return wrapper


class SubmitStopped(Exception):
    """The app is quitting: stop preparing the file (its row is marked failed, not left hanging)."""


def engine_text(running: bool | None, trouble: str | None) -> str:
    if trouble:
        return "backend unreachable"
    if running is None:
        return "cloud"
    return "engine running" if running else "engine off, starts on demand"


class SttApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "stt-tui"
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit (running jobs go on; they are polled next time)"),
        Binding("question_mark,f1", "help", "Help", tooltip="Every key"),
        Binding("P", "switch_profile", "Profile", show=False, tooltip="Use another profile (backend)"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, tooltip="Every action, by name"),
    ]

    def __init__(
        self,
        paths: Paths,
        profile: Profile,
        start: Path,
        *,
        config: Config | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.paths = paths
        self.config = config or Config(builtin_profiles())
        self.profile = profile
        self.start = start
        self.clock = clock
        self.service: Service | None = None
        self.prefs = preferences.load(paths.preferences)
        self.main = MainScreen(start, profile, self.prefs, clock)
        self._wake = threading.Event()  # a submit or an action wants the poll loop to look now
        self._probes: dict[FileKey, Probed] = {}
        self._levels: dict[FileKey, list[list[float]]] = {}
        self._warned: set[int] = set()
        self._submitting = 0  # files of the batches under way, not yet sent or refused
        self._load_error: str | None = None  # why the history could not be opened, if it could not

    def get_default_screen(self) -> Screen[None]:
        return self.main

    def on_ready(self) -> None:
        # After the first frame: the screen shows at once, the history fills it in.
        self.set_interval(60, self._expiry_alerts)
        for warning in self.config.warnings:
            self.notify(warning, severity="warning", timeout=15)
        self.open_service()

    # --- start-up and the poll loop ----------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False, description="open the history")
    def open_service(self) -> None:
        try:
            service = Service.open(self.paths, self.profile, clock=self.clock, warn=self._warn)
            recovered = service.recover_interrupted()
            feed = JobFeed(service.history)
            jobs = feed.load()
        except EXPECTED as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(ServiceReady(service, feed, jobs, recovered))

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        self._load_error = event.message
        self.notify(event.message, title="The history cannot be used", severity="error", timeout=30)

    @on(ServiceReady)
    @while_shown
    def _service_ready(self, event: ServiceReady) -> None:
        self.service = event.service
        self.main.jobs.show_jobs(event.jobs)
        self.main.update_job_count()
        self._update_running()
        for job in event.recovered:
            self.notify(f"Job #{job.id}: {job.last_error}", severity="warning", timeout=10)
        self._expiry_alerts()
        self.poll_loop(event.feed, event.service)

    def _warn(self, message: str) -> None:
        """For the core's warnings, from any thread."""
        self.post_message(Notice(message))

    @on(Notice)
    def _notice(self, event: Notice) -> None:
        self.notify(event.message, severity="warning", timeout=15)

    @work(thread=True, group="poll", exclusive=True, exit_on_error=False, description="poll jobs")
    def poll_loop(self, feed: JobFeed, service: Service) -> None:
        """Check due jobs on the stored schedule; report every change to the history, whoever made it.

        Polls for whichever service the app uses at the time: a profile switch takes effect here on
        the next round, and the old connection is closed from this thread, between its calls.
        """
        worker = get_current_worker()
        poller = service.poller()
        trouble: str | None = None
        engine: bool | None = None
        engine_checked = 0.0
        last_status: tuple[int, int, int, str, int, int] | None = None
        while not worker.is_cancelled:
            # Cleared before the round, so a wake-up asked for during it is not lost.
            self._wake.clear()
            if self.service is not None and self.service is not service:
                service.disconnect()  # closed once the calls still using it (a submit) are done
                service = self.service
                poller = service.poller()
                trouble, engine, engine_checked, last_status = None, None, 0.0, None
            try:
                for job in poller.poll_due():
                    problem = job.last_error if job.state == JobState.RUNNING else None
                    if problem != trouble and problem:
                        self.post_message(ActionFailed(f"Status check failed: {problem}"))
                    trouble = problem
                changes = feed.changes()
                if changes:
                    self.post_message(JobsChanged(changes))
                if time.monotonic() - engine_checked > ENGINE_CHECK_SECONDS:
                    engine, engine_checked = service.engine_running(), time.monotonic()
                status = (
                    poller.checks_this_hour(),
                    poller.policy.budget_per_hour,
                    round(poller.paused_for()),
                    engine_text(engine, trouble),
                    0 if service.profile.local else service.requests_this_hour(),
                    0 if service.profile.local else service.profile.requests_per_hour,
                )
                if status != last_status:
                    self.post_message(PollStatus(*status))
                    last_status = status
                # poll_due() has asked about everything due; the feed wants a look twice a second.
                delay = FEED_SECONDS
            except Exception as exc:  # noqa: BLE001  (the loop must outlive any one bad round)
                # Polling is what keeps results from expiring unseen: report, back off, go on.
                self.post_message(ActionFailed(f"Polling hit a problem and will retry: {exc}"))
                delay = TROUBLE_RETRY_SECONDS
            self._wake.wait(delay)

    @on(JobsChanged)
    @while_shown
    def _jobs_changed(self, event: JobsChanged) -> None:
        table = self.main.jobs
        for job in event.changes.changed:
            before = table.jobs.get(job.id)
            if before is not None and before.state not in FINAL_STATES and job.state in FINAL_STATES:
                self._announce(job)
        table.apply(event.changes.changed, event.changes.removed)
        self.main.update_job_count()
        self._update_running()

    def _announce(self, job: Job) -> None:
        name = f"Job #{job.id} ({Path(job.file_path).name or job.operation_id})"
        if job.state == JobState.DONE:
            self.notify(f"{name} is done; the transcript is saved locally.", title="Done")
        elif job.state == JobState.CANCELLED:
            self.notify(f"{name} was cancelled.")
        else:
            self.notify(f"{name} {job.state.value}: {job.last_error}", severity="error", timeout=10)

    def _update_running(self) -> None:
        running = sum(1 for j in self.main.jobs.jobs.values() if j.state == JobState.RUNNING)
        self.main.query_one(StatusLine).running = running

    @on(PollStatus)
    @while_shown
    def _poll_status(self, event: PollStatus) -> None:
        status = self.main.query_one(StatusLine)
        status.checks, status.budget = event.checks, event.budget
        status.paused_for, status.engine = event.paused_for, event.engine
        status.requests, status.requests_budget = event.requests, event.requests_budget

    # --- profiles ----------------------------------------------------------------------------------

    def action_switch_profile(self) -> None:
        if self._usable_service() is not None:
            self.load_profiles()

    @work(thread=True, group="profiles", exclusive=True, exit_on_error=False, description="read profiles")
    def load_profiles(self) -> None:
        # Read again: the user may have just edited config.toml to add or fix a profile.
        try:
            config = load_config(self.paths.config_dir)
            rows = describe_profiles(config)
        except ConfigError as exc:
            self.post_message(ActionFailed(str(exc)))
            return
        self.post_message(ProfilesReady(config, rows))

    @on(ProfilesReady)
    def _profiles_ready(self, event: ProfilesReady) -> None:
        config: Config = event.config
        where = str(config.path or self.paths.config_dir / CONFIG_FILE)

        def chosen(name: str | None) -> None:
            if name is None or name == self.profile.name:
                return
            self.config = config
            self.use_profile(choose_profile(config, name))
            problem = next((row["problem"] for row in event.rows if row["name"] == name), "")
            if problem:
                self.notify(f"Profile {name} is not ready: {problem}.", severity="warning", timeout=15)
            else:
                self.notify(f"Using profile {name}.")

        self.push_screen(ProfileScreen(event.rows, self.profile.name, where), chosen)

    def use_profile(self, profile: Profile) -> None:
        """New jobs go to `profile` and its running jobs are polled; the job list stays as it is."""
        old = self._usable_service()
        if old is None:
            return
        self.profile = profile
        self.service = Service(self.paths, profile, old.history, clock=self.clock, warn=self._warn)
        self.main.show_profile(profile)
        self._wake.set()

    def _expiry_alerts(self) -> None:
        now = self.clock()
        for job in cells.expiry_alerts(self.main.jobs.jobs.values(), now, self._warned):
            self._warned.add(job.id)
            left = format_duration(seconds_left(job, now) or 0)
            self.notify(
                f"Job #{job.id}'s result is not saved yet, and the service forgets it in {left}.",
                severity="warning",
                timeout=15,
            )

    # --- the highlighted file ----------------------------------------------------------------------

    @on(FileBrowser.Highlighted)
    def _file_highlighted(self, event: FileBrowser.Highlighted) -> None:
        self.show_file(event.path)

    @on(FileBrowser.SubmitRequested)
    def _submit_requested(self, event: FileBrowser.SubmitRequested) -> None:
        self.ask_submit(event.paths)

    @on(JobTable.JobAction)
    def _job_action(self, event: JobTable.JobAction) -> None:
        self.job_action(event.action, event.job)

    @on(JobTable.SortChanged)
    def _sort_changed(self, event: JobTable.SortChanged) -> None:
        self.remember(job_sort=event.sort_by)

    def show_file(self, path: Path | None) -> None:
        info = self.main.query_one(FileInfo)
        if path is None:
            info.facts, info.levels = None, None
            self.workers.cancel_group(self, "probe")
            return
        info.facts, info.levels = FileFacts(str(path)), None
        self.probe_file(path)

    @work(thread=True, group="probe", exclusive=True, exit_on_error=False, description="probe a file")
    def probe_file(self, path: Path) -> None:
        worker = get_current_worker()
        time.sleep(0.1)  # holding a key down moves faster than files can be read
        if worker.is_cancelled:
            return
        try:
            st = path.stat()
            key = (str(path), st.st_size, st.st_mtime_ns)
        except OSError:
            key = None
        cached = self._probes.get(key) if key else None
        if cached is None:
            try:
                probe = audio.probe(path)
                cached = (probe, audio.check(probe), None)
            except audio.ProbeError as exc:
                cached = (None, None, str(exc))
        if worker.is_cancelled:
            return
        self.post_message(ProbeReady(str(path), *cached))
        if key:
            self._probes[key] = cached
        if cached[0] is None or (cached[1] is not None and cached[1].refused):
            return  # nothing to see in a file that cannot be sent (and it may be hours long)
        levels = self._levels.get(key) if key else None
        if levels is None:
            try:
                levels = loudness.envelope(path, LOUDNESS_BUCKETS, should_stop=lambda: worker.is_cancelled)
            except loudness.LoudnessError:
                return
            if key:
                self._levels[key] = levels
        if not worker.is_cancelled:
            self.post_message(LoudnessReady(str(path), levels))

    @on(ProbeReady)
    @while_shown
    def _probe_ready(self, event: ProbeReady) -> None:
        info = self.main.query_one(FileInfo)
        if info.facts is not None and info.facts.path == event.path:
            info.facts = FileFacts(event.path, event.probe, event.verdict, event.error)

    @on(LoudnessReady)
    @while_shown
    def _loudness_ready(self, event: LoudnessReady) -> None:
        info = self.main.query_one(FileInfo)
        if info.facts is not None and info.facts.path == event.path:
            info.levels = event.levels[:2]

    # --- submitting ------------------------------------------------------------------------------

    def _usable_service(self) -> Service | None:
        if self.service is None:
            if self._load_error is not None:
                self.notify(self._load_error, title="The history cannot be used", severity="error")
            else:
                self.notify("The history is still being read; try again in a moment.", severity="warning")
        return self.service

    def ask_submit(self, paths: list[Path]) -> None:
        if self._usable_service() is None:
            return
        defaults = self.prefs.options_for(
            self.profile.name, RequestOptions(self.profile.default_language, self.profile.default_model)
        )

        def chosen(options: RequestOptions | None) -> None:
            if options is None:
                return
            self.remember(last_options={**self.prefs.last_options, self.profile.name: options})
            self.main.browser.clear_marks(paths)
            self._submitting += len(paths)
            self.submit_files(paths, options)

        self.push_screen(SubmitScreen(paths, defaults), chosen)

    @work(thread=True, group="submit", exit_on_error=False, description="submit files")
    def submit_files(self, paths: list[Path], options: RequestOptions) -> None:
        worker = get_current_worker()
        service = self.service
        assert service is not None
        ended = 0  # files of this batch reported, so that the batch's end accounts for the rest
        try:
            for n, path in enumerate(paths):
                progress = self._progress_reporter(path.name, worker)
                try:
                    job = service.submit(path, options, progress)
                    self.post_message(SubmitEnded(path.name, job, None, len(paths) - n - 1))
                except QuotaExceeded as exc:
                    # The rest would meet the same answer: one message for the batch, not one per file.
                    rest = len(paths) - n - 1
                    more = f" The {rest} file(s) after it were not sent either." if rest else ""
                    self.post_message(SubmitEnded(path.name, None, f"{exc}{more}", 0, dropped=rest))
                    ended = len(paths)
                    return
                except EXPECTED as exc:
                    self.post_message(SubmitEnded(path.name, None, str(exc), len(paths) - n - 1))
                except SubmitStopped:
                    return
                finally:
                    self._wake.set()
                ended = n + 1
        finally:
            # Whatever ended the batch (a stop, an error nobody expected), its files stop counting.
            if ended < len(paths):
                self.post_message(SubmitEnded("", None, None, 0, dropped=len(paths) - ended - 1))

    def _progress_reporter(self, name: str, worker: Worker[None]) -> Callable[[str, float], None]:
        """A progress callback for one file: throttled messages; stops the work when the app quits."""
        last = 0.0

        def progress(stage: str, fraction: float) -> None:
            nonlocal last
            if worker.is_cancelled:
                raise SubmitStopped
            if last == 0.0:
                self._wake.set()  # the new `submitting` row: show it now
            if time.monotonic() - last > 0.1 or fraction >= 1.0:
                last = time.monotonic()
                self.post_message(SubmitProgress(name, stage, fraction))

        return progress

    @on(SubmitProgress)
    @while_shown
    def _submit_progress(self, event: SubmitProgress) -> None:
        activity = self.main.query_one(Activity)
        activity.label = activity_label(event.name, event.stage, max(self._submitting - 1, 0))
        activity.fraction = event.fraction

    @on(SubmitEnded)
    @while_shown
    def _submit_ended(self, event: SubmitEnded) -> None:
        self._submitting = max(self._submitting - 1 - event.dropped, 0)
        if not event.name:  # the batch ended early: only the count changes
            if not self._submitting:
                self.main.query_one(Activity).fraction = None
            return
        if not self._submitting:
            self.main.query_one(Activity).fraction = None
        if event.error:
            self.notify(event.error, title=f"{event.name} was not submitted", severity="error", timeout=10)
        elif event.job is not None:
            self.notify(f"{event.name} is job #{event.job.id}; polling it.", title="Submitted")

    # --- jobs ------------------------------------------------------------------------------------

    def job_action(self, action: str, job: Job) -> None:
        service = self._usable_service()
        if service is None:
            return
        if action == "open":
            self.open_transcript(job)
        elif action == "export":
            self.ask_export(job, [])
        elif action == "copy_id":
            if job.operation_id:
                self.copy_to_clipboard(job.operation_id)
                self.notify(f"Copied {job.operation_id}.")
            else:
                self.notify(f"Job #{job.id} has no operation id.", severity="warning")
        elif action == "refresh":
            self.in_background(lambda: service.refresh(job), f"Job #{job.id} checked; it is still running.")
        elif action == "cancel":
            self.in_background(lambda: service.cancel(job), f"Asked the service to stop job #{job.id}.")
        elif action == "forget":
            question = f"Forget job #{job.id} ({Path(job.file_path).name or job.operation_id})?"
            if job.has_transcript:
                question += " Its saved transcript is deleted with it."
            elif job.state == JobState.RUNNING:
                question += " It is still running; its result will never be fetched."

            def answered(yes: bool | None) -> None:
                if yes:
                    self.in_background(lambda: service.forget(job), f"Job #{job.id} forgotten.")

            self.push_screen(ConfirmScreen(question, "Forget"), answered)

    @work(thread=True, group="actions", exit_on_error=False, description="a job action")
    def in_background(self, action: Callable[[], object], done: str) -> None:
        try:
            action()
        except EXPECTED as exc:
            self.post_message(ActionFailed(str(exc)))
        else:
            self.post_message(ActionDone(done))
        finally:
            self._wake.set()

    @work(thread=True, group="transcript", exclusive=True, exit_on_error=False, description="read a result")
    def open_transcript(self, job: Job) -> None:
        try:
            assert self.service is not None
            items = utterances(self.service.transcript_json(job))
        except (*EXPECTED, ExportError) as exc:
            self.post_message(ActionFailed(str(exc)))
            return
        self.post_message(TranscriptReady(job, items))

    @on(TranscriptReady)
    def _transcript_ready(self, event: TranscriptReady) -> None:
        self.push_screen(TranscriptScreen(event.job, event.items))

    @on(TranscriptScreen.ExportRequested)
    def _export_requested(self, event: TranscriptScreen.ExportRequested) -> None:
        self.ask_export(event.job, event.channels)

    def ask_export(self, job: Job, channels: list[int]) -> None:
        if not job.has_transcript:
            self.notify(no_transcript(job), severity="warning")
            return
        channels = channels or list(range(1, (job.channels or 1) + 1))
        # Beside the audio, as subtitle players look for it; else in the folder being browsed.
        source_dir = Path(job.file_path).parent if job.file_path else None
        folder = source_dir if source_dir and source_dir.is_dir() else Path(self.main.browser.path).resolve()

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self.in_background(lambda: self.write_export(job, choice), f"Wrote {choice.path}.")

        self.push_screen(ExportScreen(folder, job.file_path, job.id, channels), chosen)

    def write_export(self, job: Job, choice: ExportChoice) -> None:
        """Render the stored result and write it whole (see outputs.write_output)."""
        assert self.service is not None
        text = self.service.export(job, choice.fmt, choice.channel)
        try:
            write_output(choice.path, text)
        except OutputError as exc:
            raise UserError(str(exc)) from None

    @on(ActionFailed)
    def _action_failed(self, event: ActionFailed) -> None:
        self.notify(event.message, severity="error", timeout=10)

    @on(ActionDone)
    def _action_done(self, event: ActionDone) -> None:
        self.notify(event.message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Anything unexpected in a worker is one notification; the app keeps running.
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{event.worker.description} failed: {error}", severity="error", timeout=15)

    # --- app-wide --------------------------------------------------------------------------------

    def remember(self, **changes: Any) -> None:
        """Keep a preference for the next run (written in the background; a failure is not fatal)."""
        self.prefs = self.prefs.with_(**changes)
        self.save_preferences(self.prefs)

    @work(thread=True, group="preferences", exclusive=True, exit_on_error=False, description="save settings")
    def save_preferences(self, prefs: preferences.Preferences) -> None:
        # A preference that cannot be saved is only forgotten; the user's work is untouched.
        with contextlib.suppress(OSError):
            preferences.save(self.paths.preferences, prefs)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_sections()))

    async def action_quit(self) -> None:
        # Thread workers stop at their next check; a file being prepared is marked failed, not lost.
        # Calls in flight (up to a 30 s deadline) and an engine start are ended, not waited for.
        self.workers.cancel_all()
        if self.service is not None:
            self.service.interrupt()
        self._wake.set()
        self.exit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        # `screen` is the one the palette was opened over (self.screen is the palette itself).
        for title, help_text, target, action in palette_entries():
            widget = target(self, screen)
            if widget is not None:
                yield SystemCommand(title, help_text, lambda w=widget, a=action: w.run_action(a))


Owner = Callable[["SttApp", Screen[Any]], DOMNode | None]


def palette_entries() -> list[tuple[str, str, Owner, str]]:
    """(title, help, who owns the action on a given screen, action) for the command palette."""

    def browser(app: SttApp, screen: Screen[Any]) -> DOMNode | None:
        return app.main.browser if screen is app.main else None

    def jobs(app: SttApp, screen: Screen[Any]) -> DOMNode | None:
        return app.main.jobs if screen is app.main else None

    def transcript(app: SttApp, screen: Screen[Any]) -> DOMNode | None:
        return screen if isinstance(screen, TranscriptScreen) else None

    def this_app(app: SttApp, screen: Screen[Any]) -> DOMNode | None:
        return app

    return [
        ("Submit files", "Submit the marked files, or the highlighted one", browser, "submit"),
        ("Mark file", "Mark or unmark the highlighted file", browser, "mark"),
        ("Unmark all files", "Clear every mark", browser, "unmark_all"),
        ("Show all files", "Toggle showing files that are not audio or video", browser, "toggle_all"),
        ("Show hidden files", "Toggle showing hidden files and folders", browser, "toggle_hidden"),
        ("Parent folder", "Browse the folder above", browser, "go_up"),
        ("Open transcript", "Read the transcript of the highlighted job", jobs, "open"),
        ("Export transcript", "Write the highlighted job's transcript to a file", jobs, "export"),
        ("Check job now", "Ask the service about the highlighted job now", jobs, "refresh_job"),
        ("Cancel job", "Ask the service to stop the highlighted job", jobs, "cancel_job"),
        ("Forget job", "Remove the highlighted job and its stored result", jobs, "forget_job"),
        ("Copy operation id", "Copy the highlighted job's operation id", jobs, "copy_id"),
        ("Filter jobs", "Show only the jobs matching some words", jobs, "filter"),
        ("Sort jobs", "Cycle the order of the job list", jobs, "sort"),
        ("Search transcript", "Find words in the transcript", transcript, "search"),
        ("Switch channel view", "Merged dialogue, or one channel", transcript, "cycle_channel"),
        ("Word timings", "Show or hide the time of every word", transcript, "toggle_words"),
        ("Copy transcript", "Copy the transcript to the clipboard (OSC 52)", transcript, "copy"),
        ("Switch profile", "Send new jobs to another backend, and poll its jobs", this_app, "switch_profile"),
        ("Help", "Every key", this_app, "help"),
    ]


def help_sections() -> list[tuple[str, Sequence[BindingType]]]:
    return [
        ("Everywhere", SttApp.BINDINGS),
        ("Files", FileBrowser.BINDINGS + [("enter", "select", "Submit the file, or open the folder")]),
        ("Jobs", JobTable.BINDINGS),
        ("Transcript", TranscriptScreen.BINDINGS),
        ("Dialogs", SubmitScreen.BINDINGS + [("tab", "focus_next", "Next field")]),
    ]
