"""The failures the use cases report, and the ones every frontend shows as one sentence."""

from __future__ import annotations

import errno
from pathlib import Path

import grpc

from stt_tui.api import ProtocolError, ServiceError
from stt_tui.connection.storage import StorageError
from stt_tui.history import HistoryError
from stt_tui.service.content import Known, Seen
from stt_tui.settings.config import ConfigError


class UserError(Exception):
    """Something the user can fix (a bad file, an unknown id); one sentence."""


class SameAudio(UserError):
    """The file's audio was sent before with the same request and is transcribed or on its way: not sent
    again unasked."""

    def __init__(self, path: Path, known: Known) -> None:
        job = known.job
        other = Path(job.file_path).name
        where = "" if other == path.name else f", from {other}"
        being = "already transcribed" if known.seen == Seen.DONE else "still being transcribed"
        asked = f"{job.options.label()}, {job.options.model}"
        super().__init__(
            f"{path.name} holds the same audio as job #{job.id}{where}, {being} with the same options "
            f"({asked}); not sent again."
        )
        self.path = path
        self.known = known


class AudioChanged(UserError):
    """The file changed while it was read for sending (a copy still under way): nothing was sent."""


class QuotaExceeded(ServiceError):
    """The client's own count says the hourly request quota is used up; nothing was sent."""

    def __init__(self, limit: int, wait: float) -> None:
        minutes = max(1, round(wait / 60))
        super().__init__(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            f"The hourly quota of {limit} recognition requests is used up; the next one fits in about "
            f"{minutes} min.",
        )
        self.wait = wait


# What a frontend says in one sentence and goes on after: a bad file or id, a service that failed or
# refused, a damaged history, a wrong setting, a bucket's refusal, the local disk. Anything else is a bug.
EXPECTED_FAILURES = (UserError, ServiceError, ProtocolError, HistoryError, ConfigError, StorageError, OSError)


def disk_trouble(exc: OSError, what: str) -> str:
    """One sentence for a failure of the local disk while preparing or storing audio."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"The disk is full: {what} failed{where}; free some space and try again."
    return f"Could not finish {what}: {exc.strerror or exc}{where}."
