"""The file pane's batches of submissions: the model of what they come to (Textual-free, kept by the pane,
changed from its workers under a lock) and the run of one batch in a thread worker. Every change is one
message up (Changed); however a batch ends, its files are accounted for."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stt_tui.jobs.model import Job, RequestOptions
from stt_tui.service.batch import FileOutcome, Looked, Outcome
from stt_tui.service.facade import Service
from stt_tui.tui.widgets.activity import activity_label


class SubmitStopped(Exception):
    """The app is quitting: stop preparing the file (its row is marked failed, not left hanging)."""


@dataclass(frozen=True)
class WorkView:
    """What the status line and the job list's activity show of the batches at one moment."""

    sending: bool  # files are being looked at or sent
    label: str  # the file being prepared or sent, and how many wait behind it ("" when none)
    fraction: float | None
    tally: Counter[str]  # submitted, skipped, refused (and, from the app, how jobs ended)
    refusals: list[tuple[str, str]]  # (file, why): to be said now, the batches being over
    sent: tuple[Job, ...]  # jobs sent or linked since the last look: shown in the list at once


@dataclass
class SubmitWork:
    """The batches under way: files looked at, files still to send, what they came to. Thread-safe."""

    gathering: int = 0  # batches whose files are being looked at, not handed to a batch yet
    pending: int = 0  # files of the batches under way, not yet sent, linked or refused
    running: int = 0  # jobs running (set by the screen): a batch started meanwhile adds to their count
    tally: Counter[str] = field(default_factory=Counter)
    refusals: list[tuple[str, str]] = field(default_factory=list)
    progress: tuple[str, str, float] | None = None  # name, stage, fraction of the file under way
    sent: list[Job] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def gather(self, active: bool) -> None:
        with self.lock:
            self.gathering = self.gathering + 1 if active else max(self.gathering - 1, 0)

    def start(self, files: int) -> None:
        with self.lock:
            if not self.pending and not self.running:
                self.tally.clear()  # a new batch once the last one is over: count it afresh
            self.pending += files

    def advance(self, name: str, stage: str, fraction: float) -> None:
        with self.lock:
            self.progress = (name, stage, fraction)

    def end(self, done: FileOutcome | None, dropped: int = 0, error: str = "") -> None:
        """A file ended (`done`), with `dropped` files after it that will not be tried; or (None) the
        batch stopped with `dropped` + 1 files unsaid."""
        with self.lock:
            self.pending = max(self.pending - 1 - dropped, 0)
            if done is None:
                pass
            elif error or done.job is None:
                self.refusals.append((done.path.name, error or done.message))
                self.tally["refused"] += 1 + dropped
            else:
                self.tally["skipped" if done.outcome == Outcome.LINKED else "submitted"] += 1
                self.sent.append(done.job)
            if not self.pending:
                self.progress = None

    def job_ended(self, job: Job) -> Counter[str]:
        """A job came to its end: counted with the batches' files; the counts now."""
        with self.lock:
            self.tally[job.state.value] += 1
            return Counter(self.tally)

    def look(self) -> WorkView:
        """The state now; the refusals (once the batches are over) and the jobs sent are taken."""
        with self.lock:
            refusals: list[tuple[str, str]] = []
            if not self.pending:
                refusals, self.refusals = self.refusals, []
            sent, self.sent = tuple(self.sent), []
            label, fraction = "", None
            if self.progress is not None and self.pending:
                name, stage, fraction = self.progress
                label = activity_label(name, stage, max(self.pending - 1, 0))
            sending = bool(self.gathering or self.pending)
            return WorkView(sending, label, fraction, Counter(self.tally), refusals, sent)


def run_batch(
    service: Service,
    work: SubmitWork,
    paths: list[Path],
    options: RequestOptions,
    changed: Callable[[], object],
    cancelled: Callable[[], bool],
    wake: Callable[[], object],
    again: bool = False,
    looked: Looked | None = None,
) -> None:
    """Send the files one after another (see Service.submit_files), `work` kept up to date and `changed`
    called after each change, `wake` once a row may have appeared or moved; `looked`: what was read of the
    files' audio to ask about the repeats (linked to their jobs unless `again`)."""
    ended = 0  # files of this batch accounted for, so that the batch's end accounts for the rest

    def report(done: FileOutcome) -> None:
        nonlocal ended
        wake()
        if done.outcome == Outcome.NOT_SENT and not done.stops:
            return  # after the quota: said with the file that met it
        ended += 1
        rest = len(paths) - ended
        if done.stops:
            # The rest would meet the same answer: one refusal for the batch, not one per file.
            more = f" The {rest} file(s) after it were not sent either." if rest else ""
            work.end(done, dropped=rest, error=f"{done.message}{more}")
            ended = len(paths)
        else:
            work.end(done)
        changed()

    try:
        service.submit_files(
            paths, options, again=again, looked=looked, report=report,
            progress=lambda path: _reporter(work, path.name, changed, cancelled, wake),
        )  # fmt: skip
    except SubmitStopped:
        return
    finally:
        # Whatever ended the batch (a stop, an error nobody expected), its files stop counting.
        if ended < len(paths):
            work.end(None, dropped=len(paths) - ended - 1)
            changed()


def _reporter(
    work: SubmitWork,
    name: str,
    changed: Callable[[], object],
    cancelled: Callable[[], bool],
    wake: Callable[[], object],
) -> Callable[[str, float], None]:
    """A progress callback for one file: throttled changes; stops the work when the app quits."""
    last = 0.0

    def progress(stage: str, fraction: float) -> None:
        nonlocal last
        if cancelled():
            raise SubmitStopped
        if last == 0.0:
            wake()  # the new `submitting` row: show it now
        if last == 0.0 or time.monotonic() - last > 0.1 or fraction >= 1.0:
            last = time.monotonic()
            work.advance(name, stage, fraction)
            changed()

    return progress
