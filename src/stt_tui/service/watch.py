"""Watching a folder: each audio file that appears is sent once it has stopped growing.

A file still being copied or recorded changes size or time between looks; it is taken once both have
held for `settle` seconds (a download's part name is passed over until it is renamed). Audio already
transcribed with the same request (content.py), or on its way, is not sent again: the new file is linked
to that job and gets its transcripts beside it too. A file that changes while it is read is put off until
it is steady again, and a WAV shorter than its header says is given TRUNCATED_PATIENCE to be completed.
The history says what was handled, so a watch started again with the same options sends nothing twice;
the user's files are only ever read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stt_tui.audio.folders import changes, snapshot
from stt_tui.history import HistoryError
from stt_tui.jobs.model import Job, RequestOptions
from stt_tui.service.batch import Outcome
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service

SETTLE_SECONDS = 3.0
TICK_SECONDS = 1.0
RESCAN_SECONDS = 30.0  # a full look now and then, for changes the notifications missed (network folders)
RETRY_SECONDS = 30.0  # after the service could not be reached
# A WAV holding less than its header promises is most likely a copy that paused longer than `settle`:
# it is given this long to be completed before what it holds is sent.
TRUNCATED_PATIENCE = 30.0


@dataclass
class Steady:
    """Which files have kept the same size and time for `settle` seconds (pure: fed looks and times)."""

    settle: float = SETTLE_SECONDS
    _since: dict[Path, tuple[tuple[int, int], float]] = field(default_factory=dict)
    _taken: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def update(self, look: dict[Path, tuple[int, int]], now: float) -> list[Path]:
        """The files that became steady with this look; each is given once until it changes again."""
        ready = []
        for path, stat in look.items():
            if self._taken.get(path) == stat:
                continue
            seen = self._since.get(path)
            if seen is None or seen[0] != stat:
                self._since[path] = (stat, now)
                continue
            if stat[0] > 0 and now - seen[1] >= self.settle:
                ready.append(path)
                self._taken[path] = stat
                del self._since[path]
        for path in set(self._since) - set(look):
            del self._since[path]
        for path in set(self._taken) - set(look):
            del self._taken[path]
        return sorted(ready)

    def again(self, path: Path) -> None:
        """Give the file again once it is steady (its handling could not be finished)."""
        self._taken.pop(path, None)

    @property
    def settling(self) -> bool:
        """Whether some file is still being watched for changes."""
        return bool(self._since)


@dataclass(frozen=True)
class WatchEvent:
    """What became of one file: submitted, linked (same audio as a job), refused, or put off (trouble)."""

    kind: str
    path: Path
    job: Job | None = None
    message: str = ""


class FolderWatch:
    """Hands the steady audio files of one folder to a Service (thin driver over Steady)."""

    def __init__(
        self,
        service: Service,
        folder: Path,
        options: RequestOptions,
        *,
        recursive: bool = False,
        export: tuple[str, ...] | None = None,
        settle: float = SETTLE_SECONDS,
        report: Callable[[WatchEvent], None] = lambda event: None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.folder = folder
        self.options = options
        self.recursive = recursive
        self.export = export
        self.report = report
        self.steady = Steady(settle)
        self._monotonic = monotonic
        self._retry: dict[Path, float] = {}
        self._short_since: dict[Path, float] = {}  # WAVs found holding less than their header promises
        self._looked = -RESCAN_SECONDS

    def step(self) -> None:
        """One look at the folder; the files that became steady are handled."""
        now = self._monotonic()
        self._looked = now
        try:
            look = snapshot(self.folder, recursive=self.recursive)
        except OSError as exc:
            self.report(
                WatchEvent("trouble", self.folder, message=f"{self.folder} cannot be read: {exc.strerror}.")
            )
            return
        for path, at in list(self._retry.items()):
            if now >= at:
                del self._retry[path]
                self.steady.again(path)
        for path in self.steady.update(look, now):
            if path not in self._retry:
                self.handle(path)

    def handle(self, path: Path) -> None:
        """Send one steady file, or link it to the job that has its audio, or say why neither."""
        try:
            inside = path.resolve().is_relative_to(self.folder.resolve())
        except (OSError, RuntimeError):  # a loop of links
            inside = False
        if not inside:
            # Whoever can write into the folder must not make the watch send (and write a transcript
            # beside) a file that lies elsewhere.
            why = f"{path.name} is a link to a file outside {self.folder}; a watch sends only what is in it."
            self.report(WatchEvent("refused", path, message=why))
            return
        request = self.service.submission.request_of(self.options)
        try:
            if self._incomplete(path):
                return
            sha = self.service.content.sha256(path)
            if any(j.request == request for j in self.service.history.jobs_of_file(str(path.resolve()), sha)):
                return  # handled by this watch (or one like it) before
        except UserError as exc:  # it cannot be read as audio
            self.report(WatchEvent("refused", path, message=str(exc)))
            return
        except HistoryError as exc:
            self._put_off(path, str(exc))
            return
        except OSError as exc:
            self.report(WatchEvent("refused", path, message=f"{path.name} cannot be read: {exc.strerror}."))
            return
        (done,) = self.service.submit_files([path], self.options, export=self.export)
        if done.outcome == Outcome.REFUSED and not done.stops:
            self.report(WatchEvent("refused", path, message=done.message))
        elif done.outcome in (Outcome.SUBMITTED, Outcome.LINKED):
            self.report(WatchEvent(done.outcome.value, path, done.job))
        else:
            self._put_off(path, done.message)

    def _put_off(self, path: Path, why: str) -> None:
        """Nothing was sent (or it failed and says so on its row): try again in a while."""
        self._retry[path] = self._monotonic() + RETRY_SECONDS
        self.report(WatchEvent("trouble", path, message=why))

    def _incomplete(self, path: Path) -> bool:
        """Whether to put off a WAV that holds less than its header promises, for a while: it is given
        TRUNCATED_PATIENCE from the first time it was found so, then sent as it is (with a warning)."""
        found, _ = self.service.inspect(path)
        now = self._monotonic()
        if not found.truncated:
            self._short_since.pop(path, None)
            return False
        since = self._short_since.setdefault(path, now)
        if now - since >= TRUNCATED_PATIENCE:
            del self._short_since[path]
            return False
        self._retry[path] = now + self.steady.settle
        return True

    def due(self, changed: bool) -> bool:
        """Whether to look at the folder now: it changed, a file is settling, or it is time for a look."""
        return (
            changed
            or self.steady.settling
            or bool(self._retry)
            or self._monotonic() - self._looked >= RESCAN_SECONDS
        )

    def run(self, stop: threading.Event, tick: Callable[[], None] = lambda: None) -> None:
        """Until `stop` is set: look when the folder changes, or every second where the OS cannot tell;
        `tick` runs about every second (the CLI polls its jobs there)."""
        self.step()
        for changed in changes([self.folder], stop, recursive=self.recursive, tick=TICK_SECONDS):
            if self.due(changed is not False):
                self.step()
            tick()
