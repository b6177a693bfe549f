"""The file side of the main screen: the folder tree and what the highlighted file holds, and everything
sent from there: the submit dialog, asking before audio goes twice, the batch of submissions, the ✓ … ✗
markers, and a folder watch. The history work runs in this pane's thread workers; what they learn comes
back as messages; what the rest of the screen shows of it goes up as messages too."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input
from textual.worker import get_current_worker

from stt_tui.audio import probe as audio
from stt_tui.audio.folders import home_relative, media_files
from stt_tui.jobs.model import Job, JobState, RequestOptions
from stt_tui.service.batch import Looked
from stt_tui.service.watch import FolderWatch, WatchEvent
from stt_tui.settings.preferences import Preferences
from stt_tui.shared.speechkit import CLOUD_MAX_SPEAKERS, LOCAL_MAX_SPEAKERS
from stt_tui.tui.batch import SubmitWork, run_batch
from stt_tui.tui.messages import (
    ActionFailed,
    BatchReady,
    MarksCounted,
    PollSoon,
    Remember,
    SeenReady,
    Watched,
)
from stt_tui.tui.screens.pattern import PatternScreen
from stt_tui.tui.screens.same_audio import SameAudioScreen
from stt_tui.tui.screens.submit import SubmitChoice, SubmitScreen
from stt_tui.tui.widgets.file_browser import FileBrowser
from stt_tui.tui.widgets.file_info import FileInfo
from stt_tui.tui.widgets.filter_box import FilterBox
from stt_tui.tui.widgets.pane import Pane


class FilesPane(Horizontal, Pane):
    """Receives the service and the preferences from its screen; keeps the batches' model (work) and
    posts WorkChanged, MarksCounted and PollSoon up."""

    @dataclass
    class WorkChanged(Message):
        """The batches of submissions moved on: the screen shows what `work` says now."""

        work: SubmitWork

    prefs: var[Preferences] = var(Preferences)
    unready: var[str] = var("")  # what the profile in use lacks (no credentials...), or ""

    def __init__(self, start: Path, **kw: Any) -> None:
        super().__init__(**kw)
        self.start = start
        self.shown: set[Path] = set()  # media files the browser has listed: their markers are kept
        self._states: dict[int, JobState] = {}  # jobs' states as last seen, to tell when markers change
        self._watch: tuple[Path, threading.Event] | None = None
        self._durations: dict[Path, float] = {}  # audio time of files marked once, by path
        self.work = SubmitWork()  # the batches under way, changed by this pane's workers
        self._marked: frozenset[Path] = frozenset()  # the files marked now

    def compose(self) -> ComposeResult:
        with Vertical(id="files-pane"):
            yield FilterBox(placeholder="filter: words of the name, or a glob: *.wav", id="file-filter")
            yield FileBrowser(self.start, id="files")
        info = FileInfo(id="file-info")
        info.border_title = "File"
        yield info

    @property
    def browser(self) -> FileBrowser:
        return self.query_one(FileBrowser)

    def watch_service(self) -> None:
        self.check()  # the markers of what is listed already

    # --- the tree and its filter --------------------------------------------------------------------

    @on(FileBrowser.Highlighted)
    def _file_highlighted(self, event: FileBrowser.Highlighted) -> None:
        self.query_one(FileInfo).path = event.path

    @on(FileBrowser.FilterRequested)
    def _filter_requested(self) -> None:
        self.query_one("#file-filter", FilterBox).open()

    @on(Input.Changed, "#file-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.browser.name_filter = event.value.strip()

    @on(Input.Submitted, "#file-filter")
    def _filter_submitted(self) -> None:
        self.browser.focus()

    def leave_filter(self) -> bool:
        """Esc in the filter box leaves it; Esc in the tree clears an active filter. Whether it did."""
        return self.query_one("#file-filter", FilterBox).leave(self.browser)

    @on(FileBrowser.PatternRequested)
    def _pattern_requested(self, event: FileBrowser.PatternRequested) -> None:
        def chosen(pattern: str | None) -> None:
            if pattern:
                self.browser.mark_by_pattern(event.folder, pattern)

        self.app.push_screen(PatternScreen(home_relative(event.folder)), chosen)

    @dataclass
    class _MarksTimed(Message):
        """The audio time of these marked files (counted only if they are still the ones marked)."""

        paths: frozenset[Path]
        seconds: float

    @on(FileBrowser.MarksChanged)
    def _marks_changed(self, event: FileBrowser.MarksChanged) -> None:
        event.stop()
        self._marked = event.paths
        self.post_message(MarksCounted(event.count))
        if event.paths:
            self._time_marks(event.paths)

    @on(_MarksTimed)
    def _marks_timed(self, event: _MarksTimed) -> None:
        # A cancelled worker may still answer, after a newer mark: its count (1 of the 2 marked since)
        # stood in the status line.
        if event.paths == self._marked:
            self.post_message(MarksCounted(len(event.paths), event.seconds))

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
        self.post_message(self._MarksTimed(paths, total))

    # --- submitting -------------------------------------------------------------------------------

    def last_options(self) -> RequestOptions:
        """The options last chosen for the profile in use, else its defaults."""
        assert self.service is not None
        profile = self.service.profile
        defaults = RequestOptions(profile.default_language, profile.default_model)
        return self.prefs.options_for(profile.name, defaults)

    @on(FileBrowser.SubmitRequested)
    def _submit_requested(self, event: FileBrowser.SubmitRequested) -> None:
        self.ask(event.paths, event.folder)

    def ask(self, paths: list[Path], folder: Path | None = None, again: bool = False) -> bool:
        """The submit dialog for files (or a folder's audio files); `again`: no question about audio
        sent before (a re-submit is meant). Whether it opened (if not, a word says why)."""
        service = self.usable_service()
        if service is None:
            return False
        if self.unready:  # said once now, not once per file after the dialog
            self.notify(self.unready, title="Nothing can be submitted yet", severity="warning")
            return False
        defaults = self.last_options()

        def chosen(choice: SubmitChoice | None) -> None:
            if choice is None:
                return
            last = {**self.prefs.last_options, service.profile.name: choice.options}
            self.post_message(Remember({"last_options": last}))
            self.browser.clear_marks(paths)
            self._gathering(True)
            self._gather(paths, folder, choice, again)

        profile = service.profile
        speakers = LOCAL_MAX_SPEAKERS if profile.local else CLOUD_MAX_SPEAKERS
        self.app.push_screen(SubmitScreen(paths, defaults, folder, profile.api, speakers), chosen)
        return True

    @work(thread=True, group="gather", exit_on_error=False, description="look at the files")
    def _gather(self, paths: list[Path], folder: Path | None, choice: SubmitChoice, again: bool) -> None:
        ready = False
        try:
            ready = self._look_at(paths, folder, choice, again)
        finally:
            if not ready:  # refused, or an error nobody expected: the batch will not start
                self._gathering(False)  # thread-safe: the model locks, post_message is safe

    def _look_at(self, paths: list[Path], folder: Path | None, choice: SubmitChoice, again: bool) -> bool:
        """The batch's files, and which of them were sent before; False if there is nothing to send."""
        service = self.service
        assert service is not None
        if folder is not None:
            try:
                paths = media_files(folder, recursive=choice.recursive)
            except OSError as exc:
                self.post_message(ActionFailed(f"{folder} cannot be read: {exc.strerror}."))
                return False
            if not paths:
                more = "" if choice.recursive else '; "Include subfolders" looks in them'
                self.post_message(ActionFailed(f"{home_relative(folder)} holds no audio files{more}."))
                return False
        looked = None if again else service.look(paths, choice.options)
        known = {} if looked is None else looked.repeats
        self.post_message(BatchReady(paths, choice.options, known, again, looked))
        return True

    @on(BatchReady)
    def _batch_ready(self, event: BatchReady) -> None:
        if event.again or not event.known:
            self.send(event.paths, event.options, again=event.again, looked=event.looked)
            self._gathering(False)
            return

        def answered(again: bool | None) -> None:
            if again is not None:
                # Skipped ones are linked to their jobs, as looked up for the question.
                self.send(event.paths, event.options, again=again, looked=event.looked)
            self._gathering(False)

        self.app.push_screen(SameAudioScreen(event.known, len(event.paths)), answered)

    def send(
        self, paths: list[Path], options: RequestOptions, again: bool = False,
        looked: Looked | None = None,
    ) -> None:  # fmt: skip
        """Submit the files in a batch, counted on the status line until each has ended; `looked`: what
        was read of their audio before (not read again)."""
        self.work.start(len(paths))
        self.post_message(self.WorkChanged(self.work))
        self.submit_files(paths, options, again, looked)

    def _gathering(self, active: bool) -> None:
        self.work.gather(active)
        self.post_message(self.WorkChanged(self.work))

    @work(thread=True, group="submit", exit_on_error=False, description="submit files")
    def submit_files(
        self, paths: list[Path], options: RequestOptions, again: bool = False,
        looked: Looked | None = None,
    ) -> None:  # fmt: skip
        assert self.service is not None
        worker = get_current_worker()
        run_batch(
            self.service, self.work, paths, options,
            changed=lambda: self.post_message(self.WorkChanged(self.work)),
            cancelled=lambda: worker.is_cancelled, wake=lambda: self.post_message(PollSoon()),
            again=again, looked=looked,
        )  # fmt: skip

    # --- markers ------------------------------------------------------------------------------------

    @on(FileBrowser.Listed)
    def _listed(self, event: FileBrowser.Listed) -> None:
        """The browser listed these files: look up their markers."""
        self.shown.update(event.paths)
        self.check(event.paths)

    def check(self, paths: list[Path] | None = None) -> None:
        """Find out (in a worker) what became of the audio of these listed files (None: all of them)."""
        if self.service is None:
            return
        if paths is None:
            self._seen_all(sorted(self.shown))
        else:
            self._seen(paths)

    @work(thread=True, group="seen", exclusive=True, exit_on_error=False, description="look up files")
    def _seen_all(self, paths: list[Path]) -> None:
        """Every listed file: a newer look makes an older one moot."""
        self._look_up(paths)

    @work(thread=True, group="seen", exit_on_error=False, description="look up files")
    def _seen(self, paths: list[Path]) -> None:
        self._look_up(paths)

    def _look_up(self, paths: list[Path]) -> None:
        service = self.service
        if service is not None:
            self.post_message(SeenReady(paths, service.audio_status(paths)))

    @on(SeenReady)
    def _show_seen(self, event: SeenReady) -> None:
        browser = self.browser
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

    @on(FileBrowser.WatchRequested)
    def _watch_requested(self, event: FileBrowser.WatchRequested) -> None:
        """Watch the folder (each audio file that appears is sent), or stop the watch running there."""
        folder = event.folder
        current = self.stop_watching()
        if current == folder:
            self.notify(f"Stopped watching {home_relative(folder)}.")
            return
        service = self.usable_service()
        if service is None:
            return
        options = self.last_options()
        stop = threading.Event()
        self._watch = (folder, stop)
        self.browser.watching = folder

        def report(event: WatchEvent) -> None:
            self.post_message(Watched(event))

        self._run_watch(FolderWatch(service, folder, options, report=report), stop)
        self.notify(
            f"Watching {home_relative(folder)}: its audio files not sent before go now, and each new one "
            f"once it stops growing ({options.language}, {options.model}); w again stops."
        )

    @work(thread=True, group="watch", exit_on_error=False, description="watch the folder")
    def _run_watch(self, watcher: FolderWatch, stop: threading.Event) -> None:
        worker = get_current_worker()

        def tick() -> None:
            if worker.is_cancelled:
                stop.set()  # the app is closing
            self.post_message(PollSoon())

        watcher.run(stop, tick)

    def stop_watching(self) -> Path | None:
        """Stop the watch, if one runs; the folder it watched."""
        if self._watch is None:
            return None
        folder, stop = self._watch
        stop.set()
        self._watch = None
        self.browser.watching = None
        return folder

    def on_unmount(self) -> None:
        if self._watch is not None:
            self._watch[1].set()

    @on(Watched)
    def _watched(self, message: Watched) -> None:
        event = message.event
        name = event.path.name
        if event.kind == "submitted" and event.job is not None:
            self.notify(f"Watch: sent {name} (job #{event.job.id}).")
        elif event.kind == "linked" and event.job is not None:
            self.notify(f"Watch: {name} holds the audio of job #{event.job.id}; not sent again.")
        else:
            self.notify(f"Watch: {event.message}", severity="warning", timeout=10)
        self.post_message(PollSoon())
