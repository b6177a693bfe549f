"""Messages between the parts of the UI: what workers learned, and what a pane asks of its parents. One line
of docstring each."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.message import Message

from stt_tui.jobs.model import RequestOptions
from stt_tui.service import AudioStatus, Changes, Known
from stt_tui.service.batch import Looked
from stt_tui.service.poll_round import Status
from stt_tui.service.watch import WatchEvent
from stt_tui.tui.keys_in_order import KeyHold


@dataclass
class JobsChanged(Message):
    """Rows added, changed or removed since the last look, by anyone."""

    changes: Changes


@dataclass
class PollStatus(Message):
    """The polling budget, the request budget (0: no quota to show) and the backend's state."""

    status: Status


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
class BatchReady(Message):
    """The files of a submit, and which of them hold audio sent before with the same options (to ask
    about)."""

    paths: list[Path]
    options: RequestOptions
    known: dict[Path, Known]
    again: bool  # a re-submit: sent again without a question
    looked: Looked | None = None  # what was read of the files' audio: not read again when they are sent


@dataclass
class SeenReady(Message):
    """What became of the audio of these listed files, per language (a file left out: never sent)."""

    checked: list[Path]
    seen: dict[Path, tuple[AudioStatus, ...]]


@dataclass
class Watched(Message):
    """What a folder watch did with a file."""

    event: WatchEvent


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
    hold: KeyHold = field(default_factory=KeyHold)  # on the keys typed after `R`, until the dialog is up
