"""The facade both frontends use: one Service per profile, its use cases (submit, poll, wait, import,
cancel, forget, export) over the parts that do them (context.py, submission.py, operations.py, cleanup.py),
none of which knows this class."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stt_tui.api import OperationState
from stt_tui.audio.prepare import Progress, no_progress, sweep_parts
from stt_tui.audio.probe import Probe, Verdict
from stt_tui.connection.backend import Backend
from stt_tui.history import History, JobNotFound
from stt_tui.history.search import Hit, QueryError, parse_query
from stt_tui.jobs.model import FINAL_STATES, Job, JobState, RequestOptions
from stt_tui.jobs.schedule import PollPolicy
from stt_tui.outputs import export
from stt_tui.outputs.beside import Deliverer
from stt_tui.outputs.export import Utterance
from stt_tui.outputs.formatting import no_transcript
from stt_tui.service.cleanup import Cleanup
from stt_tui.service.content import ContentIndex
from stt_tui.service.context import Context
from stt_tui.service.errors import UserError
from stt_tui.service.indexing import build_index
from stt_tui.service.operations import Operations
from stt_tui.service.polling import Poller
from stt_tui.service.submission import Submission, inspect
from stt_tui.settings.config import Profile
from stt_tui.shared.paths import Paths
from stt_tui.shared.speechkit import V3

log = logging.getLogger(__name__)


@dataclass
class Service:
    paths: Paths
    profile: Profile
    history: History
    clock: Callable[[], float] = time.time
    rand: random.Random = field(default_factory=random.Random)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)
    """Where credentials named by no profile setting are looked up."""
    warn: Callable[[str], None] = log.warning
    """Told about trouble that stops nothing (an object left in the bucket, a key file others can read)."""
    monotonic: Callable[[], float] = time.monotonic
    """Measures waits and timeouts: unlike the wall clock, it is never set back or forward."""
    tell: Callable[[str], None] = log.info
    """Told what was done unasked (transcripts written beside the audio)."""
    backend: Backend = field(init=False, repr=False)
    content: ContentIndex = field(init=False, repr=False)
    deliverer: Deliverer = field(init=False, repr=False)
    context: Context = field(init=False, repr=False)
    cleanups: Cleanup = field(init=False, repr=False)
    operations: Operations = field(init=False, repr=False)
    submission: Submission = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.backend = Backend(self.paths, self.profile, env=self.env, warn=self.warn, clock=self.clock)
        self.content = ContentIndex(self.history)
        # Through lambdas: a frontend may point warn and tell elsewhere after the service is made.
        warn, tell = (lambda text: self.warn(text)), (lambda text: self.tell(text))
        self.deliverer = Deliverer(self.history, tell, warn)
        self.context = Context(
            self.paths, self.profile, self.history, self.backend, self.content,
            self.clock, self.rand, self.monotonic, warn, tell,
        )  # fmt: skip
        self.cleanups = Cleanup(self.context)
        self.operations = Operations(self.context, self.cleanups, self.deliverer)
        self.submission = Submission(self.context, self.cleanups, self.operations)

    @classmethod
    def open(cls, paths: Paths, profile: Profile, **kw: object) -> Service:
        clock = kw.get("clock", time.time)
        assert callable(clock)
        history = History(paths.history, clock=clock)
        with contextlib.suppress(OSError):
            sweep_parts(paths.outbox)  # prepared audio half written by a process that was killed
        return cls(paths, profile, history, **kw)  # type: ignore[arg-type]

    @property
    def outbox(self) -> Path:
        return self.paths.outbox

    # --- connection -----------------------------------------------------------------------------

    def get_operation(self, operation_id: str, api: str | None = None) -> OperationState:
        """Ask about an operation (see Operations.get)."""
        return self.operations.get(operation_id, api)

    def check_job(self, job: Job) -> OperationState:
        """One status check of a job's operation, with the API it was started with."""
        return self.operations.check(job)

    def disconnect(self) -> None:
        """Close the connections once the calls using them end (made again on next use)."""
        self.backend.retire()

    def interrupt(self) -> None:
        """The process is quitting: calls in flight and an engine start end now, nothing new is sent."""
        self.backend.abort()

    def engine_running(self) -> bool | None:
        """Local profile: whether the engine answers right now; None for a cloud profile."""
        return self.backend.engine_running()

    def close(self) -> None:
        self.backend.retire()
        self.history.close()

    def requests_this_hour(self) -> int:
        """Recognition requests sent in the last hour under this profile (by any process)."""
        return self.context.requests_this_hour()

    def request_wait(self) -> float:
        """Seconds until one more recognition request fits in the hourly quota (0: now)."""
        return self.context.request_wait()

    def poller(self) -> Poller:
        return self.operations.poller()

    def working_policy(self, model: str) -> PollPolicy:
        """The profile's polling policy with the speed its recent jobs of `model` were done at."""
        return self.context.working_policy(model)

    def local_time(self, server_time: float) -> float:
        """A time on the service's clock, on this machine's (by the skew measured at the last submit)."""
        return self.context.local_time(server_time)

    # --- use-cases ------------------------------------------------------------------------------

    def inspect(self, path: str | Path) -> tuple[Probe, Verdict]:
        """Probe a file and say whether and how it can be sent; raises UserError if it cannot be read."""
        return inspect(path)

    def check_options(self, options: RequestOptions) -> RequestOptions:
        """The options as the service spells them; UserError for a language or model it does not know."""
        return self.submission.check_options(options)

    def submit(
        self,
        path: str | Path,
        options: RequestOptions,
        progress: Progress = no_progress,
        *,
        again: bool = False,
        export: tuple[str, ...] | None = None,
    ) -> Job:
        """Check, prepare (convert if needed) and submit one file (see Submission.submit)."""
        return self.submission.submit(path, options, progress, again=again, export=export)

    def link(self, path: str | Path, job: Job, export: tuple[str, ...] | None = None) -> None:
        """A copy of a job's audio under another name: not sent, its transcripts go beside it too."""
        formats = self.profile.auto_export if export is None else export
        self.history.add_delivery(job.id, str(Path(path).resolve()), formats)
        self.deliverer.deliver(self.history.get(job.id))

    def finished(self, job: Job) -> None:
        """A job came to its end (noticed by this process): see Operations.finished."""
        self.operations.finished(job)

    def deliver_pending(self) -> None:
        """Write the transcripts asked for of jobs that finished while nothing was there to do it."""
        self.deliverer.deliver_pending()

    def import_operation(self, operation_id: str, options: RequestOptions | None = None) -> Job:
        """Add an operation started elsewhere, once the service confirms it knows the id."""
        return self.submission.import_operation(operation_id, options)

    def recover_interrupted(self) -> list[Job]:
        """`submitting` rows left by a process that died mid-call: shown as failed, never dropped."""
        return self.submission.recover_interrupted()

    def refresh(self, job: Job) -> Job:
        """Ask about one running job now (counted against the budget)."""
        if job.state != JobState.RUNNING:
            raise UserError(f"Job #{job.id} is {job.state.value}; there is nothing to ask the service.")
        self._check_profile(job)
        checked = self.poller().check(job)
        if checked is None:
            raise UserError(f"Job #{job.id} was forgotten meanwhile.")
        return checked

    def _check_profile(self, job: Job) -> None:
        # Its operation lives at another backend: asking this one would be wrong, or would never end.
        if job.profile != self.profile.name:
            raise UserError(
                f"Job #{job.id} belongs to the {job.profile} profile; switch to it to check or cancel "
                "the job."
            )

    def wait(
        self,
        jobs: Iterable[Job],
        *,
        timeout: float | None = None,
        on_update: Callable[[Job], None] = lambda job: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> list[Job]:
        """Poll on the stored schedule until every job is finished (or the timeout passes).

        The timeout runs on the monotonic clock, so a wall clock set back or forward changes nothing.
        A job forgotten meanwhile (by another process) is left out of the answer.
        """
        jobs = list(jobs)
        for job in jobs:
            if job.state not in FINAL_STATES:
                self._check_profile(job)
        ids = [j.id for j in jobs]
        poller = self.poller()
        deadline = None if timeout is None else self.monotonic() + timeout
        while True:
            current = []
            for i in list(ids):
                try:
                    current.append(self.history.get(i))
                except JobNotFound:
                    ids.remove(i)
            if all(j.state in FINAL_STATES for j in current):
                return current
            if deadline is not None and self.monotonic() >= deadline:
                return current
            checked = poller.poll_due(only=ids)
            for job in checked:
                on_update(job)
            if any(job.state in FINAL_STATES for job in checked):
                continue  # one has just ended: look again before any sleep (it may have been the last)
            wake = poller.next_wakeup(only=ids)
            # None: nothing pollable yet (another process is still submitting); look again soon.
            delay = 1.0 if wake is None else wake
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - self.monotonic()))
            if delay > 0:
                sleep(min(delay, 5.0))

    def cancel(self, job: Job) -> Job:
        """Ask the service to stop a running job (it may finish anyway); the answer is recorded."""
        if job.state != JobState.RUNNING:
            raise UserError(f"Job #{job.id} is {job.state.value}; only a running job can be cancelled.")
        self._check_profile(job)
        with self.backend.client() as client:
            state = client.cancel_operation(job.operation_id or "", job.api)
            if job.api == V3 and state.succeeded:  # it finished before the cancel arrived
                state = dataclasses.replace(state, recognition=client.get_recognition(state.id))
        try:
            return self.poller().record(job, state, self.clock())
        except JobNotFound:
            raise UserError(f"Job #{job.id} was forgotten meanwhile.") from None

    def forget(self, job: Job) -> None:
        self.cleanup(job, force=True)
        self.history.forget(job.id)

    def transcript_json(self, job: Job) -> str:
        """The stored result of a job that has a transcript; UserError (one wording) otherwise."""
        result = self.history.result(job.id) if job.state == JobState.DONE else None
        if result is None:
            raise UserError(no_transcript(job))
        return result.document()

    def export(self, job: Job, fmt: str, channel: int | None = None) -> str:
        """Render the stored result; never asks the server."""
        result = self.transcript_json(job)
        try:
            edits = self.history.edits(job.id)
            return export.render(result, fmt, channel, job.options.speaker_labeling, edits)
        except export.ExportError as exc:
            raise UserError(str(exc)) from None

    def phrases(self, job: Job) -> list[Utterance]:
        """A job's transcript phrase by phrase, as corrected and named; UserError when there is none."""
        try:
            items = export.utterances(self.transcript_json(job), job.options.speaker_labeling)
        except export.ExportError as exc:
            raise UserError(str(exc)) from None
        return export.with_edits(items, self.history.edits(job.id))

    def correct(self, job: Job, n: int, text: str) -> list[Utterance]:
        """Phrase `n` of the job reads `text` from now on (the recognized text is kept; an empty text, or
        the recognized one, undoes the correction); every output follows. The phrases as they now read."""
        recognized = export.utterances(self.transcript_json(job), job.options.speaker_labeling)
        if not 0 <= n < len(recognized):
            raise UserError(f"Job #{job.id} has no phrase {n + 1}.")
        text = " ".join(text.split())
        if not text or text == recognized[n].text:
            self.history.uncorrect(job.id, n, recognized[n].text)
        else:
            self.history.correct(job.id, n, recognized[n].channel, text)
        self.deliverer.redeliver(job)
        return self.phrases(job)

    def rename(self, job: Job, channel: int, name: str) -> list[Utterance]:
        """Channel (or speaker) `channel` of the job is called `name` ("": its number again) in the view
        and every export. The phrases as they now read."""
        self.history.set_name(job.id, channel, " ".join(name.split()))
        self.deliverer.redeliver(job)
        return self.phrases(job)

    def audio_of(self, job: Job) -> Path:
        """The job's own audio file, to be played: where it was sent from, with the same content (its
        SHA-256 is in the history). UserError says in a sentence why it cannot be played."""
        if not job.file_path:
            raise UserError(f"Job #{job.id} was imported: stt-tui never had its audio.")
        path = Path(job.file_path)
        if not path.is_file():
            raise UserError(f"{path.name} is no longer in {path.parent}; its audio cannot be played.")
        if job.file_hash and self.content.sha256(path) != job.file_hash:
            raise UserError(f"{path.name} has changed since it was sent: it no longer holds this audio.")
        return path

    def search(self, text: str, limit: int = 50, *, ranked: bool = True) -> list[Hit]:
        """Every stored transcript's phrases that match `text` (see history/search.py), best first (or
        the newest first, at once: `ranked=False`)."""
        try:
            query = parse_query(text)
        except QueryError as exc:
            raise UserError(str(exc)) from None
        if not query.match:
            raise UserError("Give some words to search for (filters alone find nothing).")
        return self.history.search(query, limit, ranked=ranked)

    def build_index(
        self,
        progress: Callable[[int, int], None] = lambda done, total: None,
        stopped: Callable[[], bool] = lambda: False,
    ) -> int:
        """Index the transcripts stored before the search index existed (see service/indexing.py)."""
        return build_index(self.history, progress, stopped)

    def cleanup(self, job: Job, force: bool = False) -> None:
        """Once a job is finished (or forgotten): delete its prepared audio and its uploaded object."""
        self.cleanups.after(job, force)

    def drop_payload(self, job: Job) -> None:
        self.cleanups.drop_payload(job)
