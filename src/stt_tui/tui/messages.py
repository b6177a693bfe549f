"""Messages between the parts of the UI: what workers learned, and what a pane asks of its parents. One line
of docstring each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.message import Message

from stt_tui.history import History
from stt_tui.history.edits import Edits
from stt_tui.history.feed import Changes, JobFeed
from stt_tui.jobs.model import Job, RequestOptions
from stt_tui.outputs.export import Utterance
from stt_tui.outputs.totals import Totals
from stt_tui.service.content import Known, Mark
from stt_tui.service.facade import Service
from stt_tui.service.poll_round import Status
from stt_tui.service.watch import WatchEvent
from stt_tui.settings.config import Config


@dataclass
class JobsChanged(Message):
    """Rows added, changed or removed since the last look, by anyone."""

    changes: Changes


@dataclass
class PollStatus(Message):
    """The polling budget, the request budget (0: no quota to show) and the backend's state."""

    status: Status


@dataclass
class Notice(Message):
    """Something worth knowing that stops nothing (a warning from the core)."""

    message: str


@dataclass
class ProfilesReady(Message):
    """The configuration, read again, and each profile's state, for the profile switch."""

    config: Config
    rows: list[dict[str, Any]]


@dataclass
class SubmitProgress(Message):
    """How far the preparation of a file has got (stage and fraction)."""

    name: str
    stage: str
    fraction: float


@dataclass
class SubmitEnded(Message):
    """A file was submitted (job) or refused (error); `remaining` files of the batch are left, and
    `dropped` files will not be tried (the batch stopped)."""

    name: str
    job: Job | None
    error: str | None
    remaining: int
    dropped: int = 0
    linked: bool = False  # not sent: the audio is a job's already (its copy)


@dataclass
class LoadFailed(Message):
    """The history could not be opened; every action says this until the app is restarted."""

    message: str


@dataclass
class Remember(Message):
    """Settings to keep for the next run (preference name -> value)."""

    changes: dict[str, Any]


@dataclass
class ActionFailed(Message):
    """A background action failed; one sentence for a notification."""

    message: str


@dataclass
class ActionDone(Message):
    """A background action finished; a sentence for a notification."""

    message: str


@dataclass
class ServiceReady(Message):
    """The history is open; the service is usable from now on."""

    service: Service
    feed: JobFeed
    jobs: list[Job]  # the jobs not finished yet
    recovered: list[Job]
    reader: History  # for the job list's reads
    problem: str = ""  # what the profile in use lacks (no credentials...), or ""


@dataclass
class DetailsReady(Message):
    """A job as stored now, its stored Operation (None when nothing is stored), what a person changed."""

    job: Job
    operation_json: str | None
    edits: Edits


@dataclass
class TotalsReady(Message):
    """The counts and audio sums for the totals screen."""

    totals: Totals


@dataclass
class TranscriptReady(Message):
    """A job's stored result, as phrases, ready to show (at a phrase, when a search found it)."""

    job: Job
    items: list[Utterance]
    at: int | None = None


@dataclass
class BatchReady(Message):
    """The files of a submit, and which of them hold audio sent before with the same options (to ask
    about)."""

    paths: list[Path]
    options: RequestOptions
    known: dict[Path, Known]
    again: bool  # a re-submit: sent again without a question


@dataclass
class SeenReady(Message):
    """What became of the audio of these listed files, per language (a file left out: never sent)."""

    checked: list[Path]
    seen: dict[Path, tuple[Mark, ...]]


@dataclass
class Watched(Message):
    """What a folder watch did with a file."""

    event: WatchEvent


@dataclass
class Gathering(Message):
    """Files chosen for a batch are being looked at (`active`), or have been: handed to the batch (after
    its BatchStarted), refused, or not sent after all."""

    active: bool


@dataclass
class BatchStarted(Message):
    """Files were handed to a batch of submissions: the status line counts them until each ends."""

    files: int


class PollSoon(Message):
    """A job was started or changed here: the poll loop should look now, not at its next round."""


@dataclass
class MarksCounted(Message):
    """How many files are marked, and their audio time once it is known (None: still being read)."""

    count: int
    seconds: float | None = None


@dataclass
class ResubmitRequested(Message):
    """Send these files' audio again, with options chosen anew (from the job list, to the file side)."""

    paths: list[Path]


@dataclass
class IndexProgress(Message):
    """How much of the history the search index holds while it is being built."""

    indexed: int
    stored: int
