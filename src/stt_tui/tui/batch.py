"""A batch of files sent one after another, in a thread worker; each end (sent, refused, stopped) is a
message, and the batch's own end always accounts for its files, however it ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.message import Message
from textual.worker import Worker

from stt_tui.jobs.model import RequestOptions
from stt_tui.service.errors import EXPECTED_FAILURES, QuotaExceeded, SameAudio
from stt_tui.service.facade import Service
from stt_tui.tui.messages import PollSoon, SubmitEnded, SubmitProgress

Post = Callable[[Message], object]


class SubmitStopped(Exception):
    """The app is quitting: stop preparing the file (its row is marked failed, not left hanging)."""


def run_batch(
    service: Service,
    paths: list[Path],
    options: RequestOptions,
    worker: Worker[None],
    post: Post,
    again: bool = False,
) -> None:
    """Send the files one after another; audio sent before is linked to its job unless `again`."""
    ended = 0  # files of this batch reported, so that the batch's end accounts for the rest
    try:
        for n, path in enumerate(paths):
            progress = _reporter(post, path.name, worker)
            try:
                job = service.submit(path, options, progress, again=again)
                post(SubmitEnded(path.name, job, None, len(paths) - n - 1))
            except SameAudio as exc:
                service.link(path, exc.known.job)
                post(SubmitEnded(path.name, exc.known.job, None, len(paths) - n - 1, linked=True))
            except QuotaExceeded as exc:
                # The rest would meet the same answer: one message for the batch, not one per file.
                rest = len(paths) - n - 1
                more = f" The {rest} file(s) after it were not sent either." if rest else ""
                post(SubmitEnded(path.name, None, f"{exc}{more}", 0, dropped=rest))
                ended = len(paths)
                return
            except EXPECTED_FAILURES as exc:
                post(SubmitEnded(path.name, None, str(exc), len(paths) - n - 1))
            except SubmitStopped:
                return
            finally:
                post(PollSoon())
            ended = n + 1
    finally:
        # Whatever ended the batch (a stop, an error nobody expected), its files stop counting.
        if ended < len(paths):
            post(SubmitEnded("", None, None, 0, dropped=len(paths) - ended - 1))


def _reporter(post: Post, name: str, worker: Worker[None]) -> Callable[[str, float], None]:
    """A progress callback for one file: throttled messages; stops the work when the app quits."""
    last = 0.0

    def progress(stage: str, fraction: float) -> None:
        nonlocal last
        if worker.is_cancelled:
            raise SubmitStopped
        if last == 0.0:
            post(PollSoon())  # the new `submitting` row: show it now
        if time.monotonic() - last > 0.1 or fraction >= 1.0:
            last = time.monotonic()
            post(SubmitProgress(name, stage, fraction))

    return progress
