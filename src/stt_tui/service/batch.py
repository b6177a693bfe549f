"""Submitting a batch of files, for every frontend (`submit` of files and folders, the TUI, a folder watch):
one outcome per file, never an exception to answer.

Each file's audio is looked up once: audio already transcribed with the same request, or on its way, is
linked to that job (not sent, its transcripts go beside it too) unless sent `again`; the claim in the
history still settles a race with another process the same way. The hourly quota, once used up, stops the
batch (the files after it would meet the same answer), and so does trouble every file would meet (missing
credentials, a history that cannot be written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path

from stt_tui.api import ProtocolError, ServiceError
from stt_tui.audio.prepare import Progress, no_progress
from stt_tui.connection.storage import StorageError
from stt_tui.history import HistoryError
from stt_tui.jobs.model import Job, Request, RequestOptions
from stt_tui.outputs.beside import Deliverer
from stt_tui.service.content import Known, known_from
from stt_tui.service.context import Context
from stt_tui.service.errors import AudioChanged, QuotaExceeded, SameAudio, UserError, disk_trouble
from stt_tui.service.submission import Submission
from stt_tui.settings.config import ConfigError


class Outcome(StrEnum):
    """What became of one file of a batch."""

    SUBMITTED = "submitted"  # sent: its job
    LINKED = "linked"  # the same audio as a job's, with the same request: not sent, linked to that job
    REFUSED = "refused"  # cannot be sent as it is (the file, the options, the profile's setup): why
    TROUBLE = "trouble"  # the service, the bucket or the connection failed; may go later
    NOT_SENT = "not sent"  # the batch stopped at or before this file (the quota, or setup trouble)


@dataclass(frozen=True)
class FileOutcome:
    path: Path
    outcome: Outcome
    job: Job | None = None  # the job sent, or linked to
    message: str = ""  # one sentence: why refused or not sent, the trouble, or whose audio it holds
    stops: bool = False  # this file's answer stopped the batch: the files after it are NOT_SENT, unsaid

    @property
    def quota(self) -> bool:
        """Whether the hourly quota stopped the batch here (a service's answer, not the user's to fix)."""
        return self.stops and self.outcome == Outcome.NOT_SENT


@dataclass(frozen=True)
class Looked:
    """The jobs of each file's audio, as read before a batch; a file left out has a size no job had."""

    request: Request
    jobs: Mapping[Path, list[Job]]

    @property
    def repeats(self) -> dict[Path, Known]:
        """The files whose audio was transcribed with this request, or is on its way."""
        found = ((path, known_from(jobs, self.request)) for path, jobs in self.jobs.items())
        return {path: known for path, known in found if known is not None and known.would_repeat}


# Trouble no file of the batch would escape: said once, the rest not tried.
SETUP_TROUBLE = (ConfigError, HistoryError)
PASSING_TROUBLE = (ServiceError, ProtocolError, StorageError)


class Batches:
    """Sends batches of files for one profile, and links copies of sent audio to their jobs."""

    def __init__(self, context: Context, submission: Submission, deliverer: Deliverer) -> None:
        self.context = context
        self.submission = submission
        self.deliverer = deliverer

    def look(self, paths: Iterable[Path], options: RequestOptions) -> Looked:
        """What the history knows of the files' audio, read once for the batch: to ask about the repeats
        before it is sent (cheap: only files of a size some job was sent are hashed)."""
        return Looked(self.submission.request_of(options), self.context.content.jobs_by_path(paths))

    def link(self, path: Path, job: Job, export: tuple[str, ...] | None = None) -> None:
        """A copy of a job's audio under another name: not sent, its transcripts go beside it too."""
        formats = self.context.profile.auto_export if export is None else export
        self.context.history.add_delivery(job.id, str(path.resolve()), formats)
        self.deliverer.deliver(self.context.history.get(job.id))

    def send(
        self,
        paths: Iterable[Path],
        options: RequestOptions,
        *,
        again: bool = False,
        export: tuple[str, ...] | None = None,
        looked: Looked | None = None,
        progress: Callable[[Path], Progress] = lambda path: no_progress,
        report: Callable[[FileOutcome], None] = lambda outcome: None,
    ) -> list[FileOutcome]:
        """Send the files one after another; each outcome is reported as it is known, and all returned.

        `again`: audio sent before is sent anyway. `looked`: what look() read before the batch (the
        question was asked): the history is not asked again before each file. `export`: formats written
        beside each file once done (None: the profile's auto_export).
        """
        outcomes: list[FileOutcome] = []
        repeats = {} if looked is None else looked.repeats
        stopped: FileOutcome | None = None
        for path in paths:
            if stopped is not None:
                outcome = FileOutcome(path, Outcome.NOT_SENT)
            else:
                earlier = None if looked is None else looked.jobs.get(path, [])
                attempt = partial(
                    self._attempt, path, options, again, export, repeats.get(path), earlier, progress(path)
                )
                outcome = _settled(path, attempt)
                stopped = outcome if outcome.stops else None
            outcomes.append(outcome)
            report(outcome)
        return outcomes

    def _attempt(
        self,
        path: Path,
        options: RequestOptions,
        again: bool,
        export: tuple[str, ...] | None,
        repeat: Known | None,
        earlier: list[Job] | None,
        progress: Progress,
    ) -> FileOutcome:
        """Send one file, or link it to the job that has its audio; the failures go up to _settled."""
        try:
            if not again and repeat is not None:
                raise SameAudio(path, repeat)  # looked up before the batch: linked without a look
            plan = self.submission.plan(path, options, progress, again=again, earlier=earlier)
            if (same := plan.same_audio()) is not None:
                raise same
            job = self.submission.send(plan, progress, again=again, export=export)
        except SameAudio as same:  # looked up before, found now, or sent by another process this moment
            self.link(same.path, same.known.job, export)
            return FileOutcome(path, Outcome.LINKED, same.known.job, str(same))
        return FileOutcome(path, Outcome.SUBMITTED, job)


def _settled(path: Path, attempt: Callable[[], FileOutcome]) -> FileOutcome:
    """The outcome of one file's attempt, whatever it raised that a person can be told in a sentence."""
    try:
        return attempt()
    except QuotaExceeded as exc:
        return FileOutcome(path, Outcome.NOT_SENT, message=str(exc), stops=True)
    except AudioChanged as exc:  # still being written: it may go once it holds still
        return FileOutcome(path, Outcome.TROUBLE, message=str(exc))
    except UserError as exc:
        return FileOutcome(path, Outcome.REFUSED, message=str(exc))
    except SETUP_TROUBLE as exc:
        return FileOutcome(path, Outcome.REFUSED, message=str(exc), stops=True)
    except PASSING_TROUBLE as exc:
        return FileOutcome(path, Outcome.TROUBLE, message=str(exc))
    except OSError as exc:
        if exc.filename not in (None, str(path)):  # not the file: the outbox, the disk, the home
            message = disk_trouble(exc, f"sending {path.name}")
            return FileOutcome(path, Outcome.REFUSED, message=message, stops=True)
        return FileOutcome(path, Outcome.REFUSED, message=f"{path.name} cannot be read: {exc.strerror}.")
