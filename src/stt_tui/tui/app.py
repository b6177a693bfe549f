"""The Textual app: start-up (the history opened, the service handed down), the keys that work everywhere,
the screens. Its other concerns are classes of their own, mixed in: following the jobs (job_following.py),
switching profiles (profile_switch.py), remembering preferences (remembering.py), saying things
(notifying.py) and workers' failures (workers.py).

Every RPC, probe, conversion and database read runs in a thread worker (the core is synchronous);
workers never touch widgets, they post messages. What the panes of the main screen do (sending files,
acting on jobs) they do in workers of their own; the app hands the main screen the service once the
history is open, and what the poll loop learns.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.actions import SkipAction
from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from stt_tui.jobs.model import Job
from stt_tui.service import Hit, JobFeed
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.service.poll_round import PollRound
from stt_tui.settings import preferences
from stt_tui.settings.config import (
    Config,
    Profile,
    builtin_profiles,
)
from stt_tui.settings.credentials import describe_profile
from stt_tui.shared.paths import Paths
from stt_tui.tui.commands import (
    KEY_OWNERS,
    apply_keymap,
    binding_commands,
    dialog_keys,
    every_dialog,
    help_section_for,
    help_sections,
)
from stt_tui.tui.job_following import JobFollowing
from stt_tui.tui.main.screen import MainScreen
from stt_tui.tui.open_jobs import OpenJobs
from stt_tui.tui.profile_switch import ProfileSwitching
from stt_tui.tui.remembering import Remembering
from stt_tui.tui.screens.help import HelpScreen
from stt_tui.tui.screens.search import SearchScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from stt_tui.tui.shutting_down import while_shown
from stt_tui.tui.widgets.job_rows import JobSource
from stt_tui.tui.widgets.pane import say_unavailable
from stt_tui.tui.workers import SaysWorkerFailures


class SttApp(SaysWorkerFailures, JobFollowing, ProfileSwitching, Remembering):
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
        # Priority: handled as it arrives, before the keys typed after it are sent on (a key bubbling up
        # from the focused widget comes back to the app behind them, and they went to the list below).
        Binding("ctrl+f", "search", "Search transcripts", show=False, priority=True,
                tooltip="Search every transcript; Enter opens one at the phrase", id="app.search"),
    ]  # fmt: skip

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
        self._load_error: str | None = None  # why the history could not be opened, if it could not
        self._rounds: PollRound | None = None
        self._open = OpenJobs()

    @classmethod
    def key_owners(cls) -> tuple[type[DOMNode], ...]:
        """Every screen and widget that declares keys: the ids config.toml's [keymap] may name."""
        return (cls, *(owner.cls for owner in KEY_OWNERS), *every_dialog())

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

    @dataclass
    class LoadFailed(Message):
        """The history could not be opened; every action says this until the app is restarted."""

        message: str

    @dataclass
    class ServiceReady(Message):
        """The history is open; the service is usable from now on."""

        service: Service
        feed: JobFeed
        jobs: list[Job]  # the jobs not finished yet
        recovered: list[Job]
        reader: JobSource  # for the job list's reads
        problem: str = ""  # what the profile in use lacks (no credentials...), or ""

    @work(thread=True, group="load", exit_on_error=False, description="open the history")
    def open_service(self) -> None:
        try:
            service = Service.open(
                self.paths, self.profile, clock=self.clock, warn=self._warn, tell=self._tell,
                subtitles=self.config.subtitles, remember_voices=self.config.remember_voices,
            )  # fmt: skip
            recovered = service.recover_interrupted()
            service.deliver_pending()
            feed = service.feed()
            jobs = feed.load()
            # The job list reads on a connection of its own: never behind a write of the poll loop's.
            reader = service.open_reader()
        except EXPECTED_FAILURES as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        problem = describe_profile(self.profile, False)["problem"]  # reads this profile's key file only
        self.post_message(self.ServiceReady(service, feed, jobs, recovered, reader, problem))

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
        self._open.load(event.jobs)
        self.main.use_service(event.service, event.reader, event.jobs)
        self.main.show_running(self._open.running())
        if event.problem:
            self.main.show_profile(self.profile, event.problem)
            self._say_unready(f"Profile {self.profile.name} cannot work yet.", event.problem)
        for job in event.recovered:
            self.notify(f"Job #{job.id}: {job.last_error}", severity="warning", timeout=10)
        if event.service.caveat:
            self.notify(event.service.caveat, severity="warning", timeout=15)
        self._expiry_alerts()
        self._rounds = PollRound(event.service, event.feed)
        self.poll_loop(self._rounds)

    async def action_search(self) -> None:
        if isinstance(self.screen, ModalScreen) or isinstance(self.focused, Input):
            raise SkipAction()  # as before the priority: a dialog's keys, a text box's Ctrl+F
        service = self.usable_service()
        if service is None:
            return

        def chosen(hit: Hit | None) -> None:
            if hit is not None:  # the keys typed after the Enter that chose it are for the transcript
                self.main.open_transcript(hit.job_id, hit.n, self.hold_keys())

        # Awaited: the keys typed right after Ctrl+F (one read from the terminal) wait in the app's queue
        # until the dialog is composed and its box has the focus; sent on at once, they reached a screen
        # with nothing focused and were lost.
        await self.push_screen(SearchScreen(service), chosen)

    # --- the service -------------------------------------------------------------------------------

    def usable_service(self) -> Service | None:
        if self.service is None:
            say_unavailable(self, self._load_error)
        return self.service

    # --- what the screens ask of the app -----------------------------------------------------------

    @on(TranscriptScreen.ExportRequested)
    def _export_requested(self, event: TranscriptScreen.ExportRequested) -> None:
        # The transcript is a screen of its own: the main screen's job side writes exports.
        self.main.ask_export(event.job, event.channels)

    # --- app-wide --------------------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        here = help_section_for(self.screen, self.focused)
        sections = help_sections(self.BINDINGS, here, dialog_keys(self.screen))
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
