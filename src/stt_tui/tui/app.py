"""The Textual app: the service and the poll loop's lifecycle, the keys that work everywhere, the screens.

Every RPC, probe, conversion and database read runs in a thread worker (the core is synchronous);
workers never touch widgets, they post messages. What the panes of the main screen do (sending files,
acting on jobs) they do in workers of their own; the app hands the main screen the service once the
history is open, and what the poll loop learns.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from stt_tui.history import History
from stt_tui.history.feed import JobFeed
from stt_tui.history.search import Hit
from stt_tui.jobs.model import FINAL_STATES, Job, JobState
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.service.poll_round import PollRound
from stt_tui.settings import preferences
from stt_tui.settings.config import (
    CONFIG_FILE,
    Config,
    ConfigError,
    Profile,
    builtin_profiles,
    choose_profile,
    load_config,
)
from stt_tui.settings.credentials import describe_profile, describe_profiles
from stt_tui.shared.paths import Paths
from stt_tui.tui import cells, notices
from stt_tui.tui.commands import (
    apply_keymap,
    binding_commands,
    dialog_keys,
    every_dialog,
    help_section_for,
    help_sections,
)
from stt_tui.tui.guards import while_shown
from stt_tui.tui.main.screen import MainScreen
from stt_tui.tui.messages import (
    ActionDone,
    ActionFailed,
    JobsChanged,
    LoadFailed,
    Notice,
    PollSoon,
    PollStatus,
    ProfilesReady,
    Remember,
    ServiceReady,
)
from stt_tui.tui.poll_loop import run_rounds
from stt_tui.tui.screens.help import HelpScreen
from stt_tui.tui.screens.profiles import ProfileScreen
from stt_tui.tui.screens.search import SearchScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from stt_tui.tui.telling import TellingApp
from stt_tui.tui.widgets.file_browser import FileBrowser
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.pane import failure_said, say_unavailable


class SttApp(TellingApp):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    # Layout classes by width: under 70 columns the file pane steps aside.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-normal"), (160, "-wide")]
    TITLE = "stt-tui"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", tooltip="Every key", id="app.help"),
        Binding("P", "switch_profile", "Profile", show=False, tooltip="Use another profile (backend)",
                id="app.switch-profile"),
        Binding("ctrl+p,colon", "command_palette", "Commands", show=False, tooltip="Every action, by name",
                id="app.command-palette"),
        Binding("ctrl+b", "toggle_bell", "Bell", show=False, tooltip="Ring the bell for failures (on/off)",
                id="app.toggle-bell"),
        Binding("ctrl+f", "search", "Search transcripts", show=False,
                tooltip="Search every transcript; Enter opens one at the phrase", id="app.search"),
    ]  # fmt: skip
    # Who declares keys besides the dialogs (config.toml's [keymap] remaps them by binding id).
    KEY_OWNERS = (MainScreen, FileBrowser, JobList, TranscriptScreen)

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
        self._warned: set[int] = set()
        self._load_error: str | None = None  # why the history could not be opened, if it could not
        self._rounds: PollRound | None = None
        self._open: dict[int, Job] = {}  # jobs not finished yet (few, whatever the history's size)

    @classmethod
    def key_owners(cls) -> tuple[type[DOMNode], ...]:
        """Every screen and widget that declares keys: the ids config.toml's [keymap] may name."""
        return (cls, *cls.KEY_OWNERS, *every_dialog())

    def get_default_screen(self) -> Screen[None]:
        return self.main

    def on_mount(self) -> None:
        apply_keymap(self, self.config.keymap, self.key_owners())
        if self.prefs.theme and self.prefs.theme in self.available_themes:
            self.theme = self.prefs.theme
        self.theme_changed_signal.subscribe(self, lambda theme: self.remember(theme=theme.name))

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
            service = Service.open(
                self.paths, self.profile, clock=self.clock, warn=self._warn, tell=self._tell
            )
            recovered = service.recover_interrupted()
            service.deliver_pending()
            feed = JobFeed(service.history)
            jobs = feed.load()
            # The job list reads on a connection of its own: never behind a write of the poll loop's.
            reader = History(self.paths.history, clock=self.clock)
        except EXPECTED_FAILURES as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        problem = describe_profile(self.profile, False)["problem"]  # reads this profile's key file only
        self.post_message(ServiceReady(service, feed, jobs, recovered, reader, problem))

    @on(LoadFailed)
    @while_shown
    def _load_failed(self, event: LoadFailed) -> None:
        self._load_error = event.message
        self.main.cannot_load(event.message)
        self.notify(event.message, title="The history cannot be used", severity="error", timeout=30)

    @on(ServiceReady)
    @while_shown
    def _service_ready(self, event: ServiceReady) -> None:
        self.service = event.service
        self._open = {j.id: j for j in event.jobs}
        self.main.use_service(event.service, event.reader, event.jobs)
        self.main.show_running(self._running_jobs())
        if event.problem:
            self.main.show_profile(self.profile, event.problem)
            self._say_unready(f"Profile {self.profile.name} cannot work yet.", event.problem)
        for job in event.recovered:
            self.notify(f"Job #{job.id}: {job.last_error}", severity="warning", timeout=10)
        self._expiry_alerts()
        self._rounds = PollRound(event.service, event.feed)
        self.poll_loop(self._rounds)

    def action_search(self) -> None:
        service = self.usable_service()
        if service is None:
            return

        def chosen(hit: Hit | None) -> None:
            if hit is not None:
                self.main.open_transcript(hit.job_id, hit.n)

        self.push_screen(SearchScreen(service), chosen)

    def _warn(self, message: str) -> None:
        """For the core's warnings, from any thread."""
        self.post_message(Notice(message))

    def _tell(self, message: str) -> None:
        """For what the core did unasked (transcripts written beside the audio), from any thread."""
        self.post_message(ActionDone(message))

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
        for job in event.changes.changed:
            if job.id in self._open and job.state in FINAL_STATES:
                self._announce(job)
            if job.state in FINAL_STATES:
                self._open.pop(job.id, None)
            else:
                self._open[job.id] = job
        for job_id in event.changes.removed:
            self._open.pop(job_id, None)
        self.main.jobs_changed(event.changes, self._running_jobs())

    def _running_jobs(self) -> int:
        return sum(1 for j in self._open.values() if j.state == JobState.RUNNING)

    def _announce(self, job: Job) -> None:
        # An ending is counted on the status line; only one that needs a person is a notification.
        self.main.job_ended(job)
        message, severity = notices.ending(job)
        if severity == "error":
            self.alert(message, severity)
        self.tell_when_away(job.state.value)

    def action_toggle_bell(self) -> None:
        self.remember(bell=not self.prefs.bell)
        self.notify("The bell rings for failures and expiring results." if self.prefs.bell else "No bell.")

    @on(PollStatus)
    @while_shown
    def _poll_status(self, event: PollStatus) -> None:
        self.main.show_status(event.status)

    def _expiry_alerts(self) -> None:
        now = self.clock()
        for job in cells.expiry_alerts(self._open.values(), now, self._warned):
            self._warned.add(job.id)
            self.alert(notices.expiring(job, now)[0])

    # --- profiles ----------------------------------------------------------------------------------

    def usable_service(self) -> Service | None:
        if self.service is None:
            say_unavailable(self, self._load_error)
        return self.service

    def action_switch_profile(self) -> None:
        if self.usable_service() is not None:
            self._read_profiles()

    @work(thread=True, group="profiles", exclusive=True, exit_on_error=False, description="read profiles")
    def _read_profiles(self) -> None:
        # Read again: the user may have just edited config.toml.
        try:
            config = load_config(self.paths.config_dir)
            rows = describe_profiles(config)
        except ConfigError as exc:
            self.post_message(ActionFailed(str(exc)))
            return
        self.post_message(ProfilesReady(config, rows))

    @on(ProfilesReady)
    def _profiles_ready(self, event: ProfilesReady) -> None:
        config = event.config
        where = str(config.path or self.paths.config_dir / CONFIG_FILE)

        def chosen(name: str | None) -> None:
            problem = next((row["problem"] for row in event.rows if row["name"] == name), "")
            # The profile in use, picked again, is taken up again if what it lacked has changed.
            if name is None or (name == self.profile.name and bool(problem) == self.main.unready):
                return
            self.config = config
            self.use_profile(choose_profile(config, name), problem)
            if problem:
                self._say_unready(f"Using profile {name}, which cannot work yet.", problem)
            else:
                self.notify(f"Using profile {name}.")

        self.push_screen(ProfileScreen(event.rows, self.profile.name, where), chosen)

    def _say_unready(self, headline: str, problem: str) -> None:
        self.notify(f"{headline} {problem}", severity="warning", timeout=15)

    def use_profile(self, profile: Profile, problem: str = "") -> None:
        """New jobs go to `profile` and its running jobs are polled; the job list stays as it is.
        `problem`: what the profile lacks, said on the status line until it is picked again."""
        old = self.usable_service()
        if old is None:
            return
        self.profile = profile
        self.service = Service(self.paths, profile, old.history, clock=self.clock, warn=self._warn)
        self.main.show_profile(profile, problem)
        self.main.use_service(self.service)
        if self._rounds is not None:
            self._rounds.switch(self.service)  # polling follows from the loop's next round
        self._wake.set()

    # --- what the screens ask of the app -----------------------------------------------------------

    @on(TranscriptScreen.ExportRequested)
    def _export_requested(self, event: TranscriptScreen.ExportRequested) -> None:
        # The transcript is a screen of its own: the main screen's job side writes exports.
        self.main.ask_export(event.job, event.channels)

    @on(Remember)
    def _remember(self, event: Remember) -> None:
        self.remember(**event.changes)

    @on(ActionFailed)
    def _action_failed(self, event: ActionFailed) -> None:
        self.notify(event.message, severity="error", timeout=10)

    @on(ActionDone)
    def _action_done(self, event: ActionDone) -> None:
        self.notify(event.message)

    @on(Notice)
    def _notice(self, event: Notice) -> None:
        self.notify(event.message, severity="warning", timeout=15)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Anything unexpected in a worker is one notification; the app keeps running.
        if (said := failure_said(event)) is not None:
            self.notify(said, severity="error", timeout=15)

    # --- app-wide --------------------------------------------------------------------------------

    def remember(self, **changes: Any) -> None:
        """Keep a preference for the next run (written in the background; a failure is not fatal)."""
        self.prefs = self.prefs.with_(**changes)
        self.main.use_prefs(self.prefs)
        self.save_preferences(self.prefs)

    @work(thread=True, group="preferences", exclusive=True, exit_on_error=False, description="save settings")
    def save_preferences(self, prefs: preferences.Preferences) -> None:
        # A preference that cannot be saved is only forgotten; the user's work is untouched.
        with contextlib.suppress(OSError):
            preferences.save(self.paths.preferences, prefs)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        here = help_section_for(self.screen, self.focused)
        sections = help_sections(self.BINDINGS, MainScreen.BINDINGS, here, dialog_keys(self.screen))
        self.push_screen(HelpScreen(sections, self.config.keymap))

    async def action_quit(self) -> None:
        # Thread workers stop at their next check; a file being prepared is marked failed, not lost.
        # Calls in flight (up to a 30 s deadline) and an engine start are ended, not waited for.
        self.workers.cancel_all()
        self.main.stop_watching()
        if self.service is not None:
            self.service.interrupt()
        self._wake.set()
        self.exit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        # `screen` is the one the palette was opened over (self.screen is the palette itself).
        yield from binding_commands(self, screen)
