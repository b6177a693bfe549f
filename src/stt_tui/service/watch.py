"""Watching a folder: each audio file that appears is sent once it has stopped growing.

A file still being copied or recorded changes size or time between looks; it is taken once both have
held for `settle` seconds (a download's part name is passed over until it is renamed). Audio already
transcribed with the same request (content.py), or on its way, is not sent again: the new file is linked
to that job and gets its transcripts beside it too. The history says what was handled, so a watch started
again with the same options sends nothing twice; the user's files are only ever read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stt_tui.api import ProtocolError, ServiceError
from stt_tui.audio.folders import changes, snapshot
from stt_tui.connection.storage import StorageError
from stt_tui.history import HistoryError
from stt_tui.jobs.model import Job, Request, RequestOptions
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.settings.config import ConfigError

SETTLE_SECONDS = 3.0
TICK_SECONDS = 1.0
RESCAN_SECONDS = 30.0  # a full look now and then, for changes the notifications missed (network folders)
RETRY_SECONDS = 30.0  # after the service could not be reached


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
            sha = self.service.content.sha256(path)
            profile = self.service.profile
            request = Request.of(profile.name, profile.api, self.options)
            if any(j.request == request for j in self.service.history.jobs_of_file(str(path.resolve()), sha)):
                return  # handled by this watch (or one like it) before
            known = self.service.content.known(sha, request)
            if known is not None and known.would_repeat:
                self.service.link(path, known.job, self.export)
                self.report(WatchEvent("linked", path, known.job))
                return
            job = self.service.submit(path, self.options, again=True, export=self.export)
        except UserError as exc:
            self.report(WatchEvent("refused", path, message=str(exc)))
            return
        except OSError as exc:
            self.report(WatchEvent("refused", path, message=f"{path.name} cannot be read: {exc.strerror}."))
            return
        except (ServiceError, ProtocolError, StorageError, ConfigError, HistoryError) as exc:
            # Nothing was sent (or it failed and says so on its row): try again in a while.
            self._retry[path] = self._monotonic() + RETRY_SECONDS
            self.report(WatchEvent("trouble", path, message=str(exc)))
            return
        self.report(WatchEvent("submitted", path, job))

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
