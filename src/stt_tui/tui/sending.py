"""Sending from the file browser: files and folders (asking before audio sent before goes again), the
browser's ✓ … ✗ markers, and watching a folder. The history work runs in thread workers; what it learns
comes back as messages."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import get_current_worker

from stt_tui.audio.folders import home_relative, media_files
from stt_tui.jobs.model import Job, JobState, Request, RequestOptions
from stt_tui.service.watch import FolderWatch, WatchEvent
from stt_tui.tui.messages import ActionFailed, BatchReady, SeenReady, Watched
from stt_tui.tui.screens.same_audio import SameAudioScreen
from stt_tui.tui.screens.submit import SubmitChoice, SubmitScreen
from stt_tui.tui.widgets.file_browser import FileBrowser

if TYPE_CHECKING:
    from stt_tui.tui.app import SttApp


class Sending:
    def __init__(self, app: SttApp) -> None:
        self.app = app
        self.shown: set[Path] = set()  # media files the browser has listed: their markers are kept
        self._states: dict[int, JobState] = {}  # jobs' states as last seen, to tell when markers change
        self._watch: tuple[Path, threading.Event] | None = None

    def handle(self, event: Message) -> None:
        """What the browser asks for, and what this class's workers learned."""
        if isinstance(event, BatchReady):
            self.ready(event)
        elif isinstance(event, SeenReady):
            self.show_seen(event)
        elif isinstance(event, Watched):
            self.watched(event.event)
        elif isinstance(event, FileBrowser.Listed):
            self.listed(event.paths)
        elif isinstance(event, FileBrowser.WatchRequested):
            self.toggle_watch(event.folder)

    # --- submitting -------------------------------------------------------------------------------

    def last_options(self) -> RequestOptions:
        """The options last chosen for the profile in use, else its defaults."""
        profile = self.app.profile
        return self.app.prefs.options_for(
            profile.name, RequestOptions(profile.default_language, profile.default_model)
        )

    def ask(self, paths: list[Path], folder: Path | None = None, again: bool = False) -> None:
        """The submit dialog for files (or a folder's audio files); `again`: no question about audio
        sent before (a re-submit is meant)."""
        app = self.app
        service = app.usable_service()
        if service is None:
            return
        defaults = self.last_options()

        def chosen(choice: SubmitChoice | None) -> None:
            if choice is None:
                return
            app.remember(last_options={**app.prefs.last_options, app.profile.name: choice.options})
            app.main.browser.clear_marks(paths)
            app.run_worker(lambda: self._gather(paths, folder, choice, again), thread=True,
                           group="gather", exit_on_error=False, description="look at the files")  # fmt: skip

        app.push_screen(SubmitScreen(paths, defaults, folder, service.profile.api), chosen)

    def _gather(self, paths: list[Path], folder: Path | None, choice: SubmitChoice, again: bool) -> None:
        service = self.app.service
        assert service is not None
        if folder is not None:
            try:
                paths = media_files(folder, recursive=choice.recursive)
            except OSError as exc:
                self.app.post_message(ActionFailed(f"{folder} cannot be read: {exc.strerror}."))
                return
            if not paths:
                more = "" if choice.recursive else '; "Include subfolders" looks in them'
                self.app.post_message(ActionFailed(f"{home_relative(folder)} holds no audio files{more}."))
                return
        request = Request.of(service.profile.name, service.profile.api, choice.options)
        seen = {} if again else service.content.seen(paths, request)
        known = {path: k for path, k in seen.items() if k.would_repeat}
        self.app.post_message(BatchReady(paths, choice.options, known, again))

    def ready(self, event: BatchReady) -> None:
        if event.again or not event.known:
            self._start(event.paths, event.options, again=event.again)
            return

        def answered(again: bool | None) -> None:
            if again is not None:
                # Skipped ones are sent without `again`: the service links each to its job.
                self._start(event.paths, event.options, again=again)

        self.app.push_screen(SameAudioScreen(event.known, len(event.paths)), answered)

    def _start(self, paths: list[Path], options: RequestOptions, again: bool) -> None:
        self.app.main.batch_started(len(paths))
        self.app.submit_files(paths, options, again)

    # --- markers ------------------------------------------------------------------------------------

    def listed(self, paths: list[Path]) -> None:
        """The browser listed these files: look up their markers."""
        self.shown.update(paths)
        self.check(paths)

    def check(self, paths: list[Path] | None = None) -> None:
        """Find out (in a worker) what became of the audio of these listed files (None: all of them)."""
        if self.app.service is None:
            return
        chosen = sorted(self.shown) if paths is None else paths
        self.app.run_worker(lambda: self._seen(chosen), thread=True, group="seen", exclusive=paths is None,
                            exit_on_error=False, description="look up files")  # fmt: skip

    def _seen(self, paths: list[Path]) -> None:
        service = self.app.service
        if service is not None:
            self.app.post_message(SeenReady(paths, service.content.marks(paths)))

    def show_seen(self, event: SeenReady) -> None:
        browser = self.app.main.browser
        seen = dict(browser.seen)
        for path in event.checked:
            seen.pop(path, None)
        seen.update(event.seen)
        browser.seen = seen

    def jobs_changed(self, jobs: list[Job]) -> None:
        """Jobs started or ended: markers of the listed files may have changed (a status check that
        found a job still running changes none)."""
        moved = False
        for job in jobs:
            if job.file_hash and self._states.get(job.id) != job.state:
                self._states[job.id] = job.state
                moved = True
        if moved and self.shown:
            self.check()

    # --- watching -------------------------------------------------------------------------------------

    def toggle_watch(self, folder: Path) -> None:
        """Watch `folder` (each audio file that appears is sent), or stop the watch running there."""
        app = self.app
        current = self.stop_watching()
        if current == folder:
            app.notify(f"Stopped watching {home_relative(folder)}.")
            return
        service = app.usable_service()
        if service is None:
            return
        options = self.last_options()
        stop = threading.Event()
        self._watch = (folder, stop)
        app.main.browser.watching = folder

        def report(event: WatchEvent) -> None:
            app.post_message(Watched(event))

        watcher = FolderWatch(service, folder, options, report=report)

        def run() -> None:
            worker = get_current_worker()

            def tick() -> None:
                if worker.is_cancelled:
                    stop.set()  # the app is closing
                app.wake_poller()

            watcher.run(stop, tick)

        app.run_worker(run, thread=True, group="watch", exit_on_error=False, description="watch the folder")
        app.notify(
            f"Watching {home_relative(folder)}: its audio files not sent before go now, and each new one "
            f"once it stops growing ({options.language}, {options.model}); w again stops."
        )

    def stop_watching(self) -> Path | None:
        """Stop the watch, if one runs; the folder it watched."""
        if self._watch is None:
            return None
        folder, stop = self._watch
        stop.set()
        self._watch = None
        self.app.main.browser.watching = None
        return folder

    def watched(self, event: WatchEvent) -> None:
        name = event.path.name
        if event.kind == "submitted" and event.job is not None:
            self.app.notify(f"Watch: sent {name} (job #{event.job.id}).")
        elif event.kind == "linked" and event.job is not None:
            self.app.notify(f"Watch: {name} holds the audio of job #{event.job.id}; not sent again.")
        else:
            self.app.notify(f"Watch: {event.message}", severity="warning", timeout=10)
        self.app.wake_poller()
