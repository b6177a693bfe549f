"""Transcripts written beside the audio (`talk.wav` → `talk.txt`, `talk.srt`) once a job is done.

Whole or not at all, and never over a file stt-tui did not write: a new file appears holding the whole
text at once (shared/atomic.create_whole: a part file made new, so a link planted in the folder is never
followed, published under a name that must be free), one there before is replaced only if the history
records it as what stt-tui wrote and it is unchanged since; anything else is left as it is, with a
sentence.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from stt_tui.history import History, JobNotFound
from stt_tui.history.files import Delivery
from stt_tui.jobs.model import FINAL_STATES, Job
from stt_tui.outputs.export import ExportError, render
from stt_tui.outputs.subtitles import NETFLIX, SubtitleLimits
from stt_tui.shared.atomic import create_whole, replacing, usual_mode

MAX_OWN_BYTES = 64 << 20  # larger than any transcript: a file this big is not one stt-tui wrote


class BesideError(Exception):
    """A transcript could not be written beside its audio; one sentence."""


def beside_path(audio: Path, fmt: str) -> Path:
    """Where the transcript of `audio` in `fmt` goes: the audio's name with the format's extension."""
    return audio.with_name(f"{audio.stem}.{fmt}")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _holds(path: Path, sha256: str) -> bool:
    """Whether the regular file at `path` holds exactly what has this hash."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_OWN_BYTES:
            return False
        return _digest(path.read_bytes()) == sha256
    except OSError:
        return False


def _sentence(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"The disk is full: {path.name} was not written beside the audio."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{path.name} cannot be written in {path.parent}: {exc.strerror}."
    return f"{path.name} was not written: {exc.strerror or exc}."


def write_beside(history: History, path: Path, text: str, job_id: int) -> None:
    """Write `text` at `path` unless a file stt-tui did not write is there; BesideError says why not."""
    data = text.encode("utf-8")
    key = str(path)
    try:
        try:
            create_whole(path, data, usual_mode())
        except FileExistsError:
            ours = history.written_hash(key)
            if ours is None or not _holds(path, ours):
                raise BesideError(
                    f"{path.name} is already there and is not a transcript stt-tui wrote (or it was "
                    f"changed since); it is left as it is. `stt-tui export {job_id} -o FILE` writes it "
                    "elsewhere."
                ) from None
            with replacing(path, usual_mode()) as f:
                f.write(data)
    except OSError as exc:
        raise BesideError(_sentence(exc, path)) from None
    # Recorded once it is there: a crash in between leaves a file no record calls ours, which is then
    # left as it is (with a sentence) rather than ever replaced unproven.
    history.record_written(key, _digest(data), job_id)


class Deliverer:
    """Makes the deliveries of finished jobs, each once whoever notices the finish (any process)."""

    def __init__(
        self,
        history: History,
        tell: Callable[[str], None],
        warn: Callable[[str], None],
        subtitles: SubtitleLimits = NETFLIX,
    ) -> None:
        self.history = history
        self.tell = tell  # what was written
        self.warn = warn  # what was not, and why
        self.subtitles = subtitles  # what an srt or vtt cue may hold

    def deliver(self, job: Job) -> None:
        """Write the transcripts of a finished job beside each of its audio files that asked for them."""
        if job.state not in FINAL_STATES:
            return
        for delivery in self.history.deliveries(job.id):
            if delivery.formats and delivery.settled_at is None:
                self._make(job, delivery)

    def redeliver(self, job: Job) -> None:
        """A person changed the transcript: write again what was written beside the audio (a file they
        changed since is left as it is, with a sentence)."""
        for delivery in self.history.deliveries(job.id):
            if delivery.formats and delivery.settled_at is not None:
                self.history.reopen_delivery(delivery.id)
        self.deliver(job)

    def deliver_pending(self) -> None:
        """Deliveries of jobs that finished while no process that makes them was there to see it."""
        for delivery in self.history.pending_deliveries():
            try:
                job = self.history.get(delivery.job_id)
            except JobNotFound:
                continue
            self._make(job, delivery)

    def _make(self, job: Job, delivery: Delivery) -> None:
        if not self.history.claim_delivery(delivery.id):
            return  # another process is making it
        audio = Path(delivery.audio_path)
        result = self.history.result(job.id) if job.has_transcript else None
        if result is None:
            self.history.settle_delivery(delivery.id, f"no transcript: job {job.state.value}")
            return
        written, problems = [], []
        edits = self.history.edits(job.id)
        for fmt in delivery.formats:
            path = beside_path(audio, fmt)
            try:
                text = render(
                    result.document(), fmt, speakers=job.options.speaker_labeling, edits=edits,
                    subtitles=self.subtitles,
                )  # fmt: skip
                write_beside(self.history, path, text, job.id)
                written.append(path.name)
            except (BesideError, ExportError) as exc:
                problems.append(str(exc))
        outcome = f"wrote {', '.join(written)}" if written else "nothing written"
        self.history.settle_delivery(delivery.id, "; ".join([outcome, *problems]))
        if written:
            self.tell(f"Job #{job.id}: wrote {', '.join(written)} beside {audio.name}.")
        for problem in problems:
            self.warn(f"Job #{job.id}: {problem}")
