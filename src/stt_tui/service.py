"""The use-cases both frontends share: submit, poll, wait, import, forget, export."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc

from . import audio, export
from .api import OperationState, ServiceError
from .backend import Backend
from .beside import Deliverer
from .config import ConfigError, Profile
from .content import ContentIndex
from .formatting import no_transcript
from .history import History, JobNotFound
from .jobs import FINAL_STATES, Job, JobState, RequestOptions
from .paths import Paths
from .poller import HOUR, Poller, PollPolicy, budget_wait, learned_speed
from .prepare import Progress, no_progress, sweep_parts
from .speechkit import V3
from .storage import StorageError, parse_object_uri
from .submission import Submission, UserError
from .wording import clause

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
    submission: Submission = field(init=False, repr=False)
    content: ContentIndex = field(init=False, repr=False)
    deliverer: Deliverer = field(init=False, repr=False)
    _deletes_refused: bool = False  # the bucket said no once: do not ask (and warn) for every job
    _recognition_deletes_refused: bool = False  # so did DeleteRecognition

    def __post_init__(self) -> None:
        self.backend = Backend(self.paths, self.profile, env=self.env, warn=self.warn, clock=self.clock)
        self.submission = Submission(self)
        self.content = ContentIndex(self.history)
        self.deliverer = Deliverer(self.history, lambda text: self.tell(text), lambda text: self.warn(text))

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
        """Ask about an operation of `api` (the profile's by default); a v3 one that is done comes with
        its result stream, read at once (the poller stores both together)."""
        api = api or self.profile.api
        try:
            with self.backend.client() as client:
                state = client.get_operation(operation_id, api)
                if api == V3 and state.succeeded:
                    # Counted with the v3 checks: the per-second quota is the safe reading for it too.
                    self.history.record_call(self.profile.name, "check_v3", self.clock())
                    state = dataclasses.replace(state, recognition=client.get_recognition(operation_id))
                return state
        except ConfigError as exc:
            # Missing or unreadable credentials: the poller records it on the job and retries later,
            # so fixing the config is enough to carry on.
            raise ServiceError(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None

    def check_job(self, job: Job) -> OperationState:
        """One status check of a job's operation, with the API it was started with."""
        return self.get_operation(job.operation_id or "", job.api)

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
        return self.history.calls_since(self.profile.name, "submit", self.clock() - HOUR)

    def request_wait(self) -> float:
        """Seconds until one more recognition request fits in the hourly quota (0: now)."""
        now = self.clock()
        limit = self.profile.requests_per_hour
        return budget_wait(self.history.nth_latest_call(self.profile.name, "submit", limit, now - HOUR), now)

    def poller(self) -> Poller:
        return Poller(
            self.history,
            self.profile.name,
            self.check_job,
            self.profile.poll_policy,
            clock=self.clock,
            rand=self.rand,
            on_finished=self.finished,
        )

    def working_policy(self, model: str) -> PollPolicy:
        """The profile's polling policy with the speed its recent jobs of `model` were done at (by the
        service's own timestamps), the stated speed as the prior."""
        policy = self.profile.poll_policy
        observed = []
        for minutes, created, modified in self.history.recent_work(self.profile.name, model):
            with contextlib.suppress(ValueError):
                took = datetime.fromisoformat(modified) - datetime.fromisoformat(created)
                observed.append((minutes, took.total_seconds()))
        speed = learned_speed(observed, policy.work_seconds_per_audio_minute)
        return dataclasses.replace(policy, work_seconds_per_audio_minute=speed)

    def local_time(self, server_time: float) -> float:
        """A time on the service's clock, on this machine's (by the skew measured at the last submit)."""
        return server_time - self.history.clock_skew(self.profile.name)

    # --- use-cases ------------------------------------------------------------------------------

    def inspect(self, path: str | Path) -> tuple[audio.Probe, audio.Verdict]:
        """Probe a file and say whether and how it can be sent; raises UserError if it cannot be read."""
        try:
            probe = audio.probe(path)
        except audio.ProbeError as exc:
            raise UserError(str(exc)) from None
        return probe, audio.check(probe)

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
        """A job came to its end (noticed by this process): tidy up, write its transcripts beside the
        audio where that was asked for, and have the service forget a v3 result now stored here."""
        self.cleanup(job)
        self.deliverer.deliver(job)
        self._delete_recognition(job)

    def _delete_recognition(self, job: Job) -> None:
        """DeleteRecognition of a v3 job whose result is stored here; trouble is a warning, nothing more."""
        if not (
            job.api == V3 and job.has_transcript and job.operation_id and self.profile.delete_after_result
        ):
            return
        if job.profile != self.profile.name or self._recognition_deletes_refused:
            return
        try:
            with self.backend.client() as client:
                client.delete_recognition(job.operation_id)
        except (ServiceError, ConfigError) as exc:
            code = exc.code if isinstance(exc, ServiceError) else None
            if code == grpc.StatusCode.NOT_FOUND:
                return  # already gone: what was asked for
            if code == grpc.StatusCode.PERMISSION_DENIED:
                self._recognition_deletes_refused = True  # every later job would be refused the same way
            self.warn(
                f"Job #{job.id}: the service keeps its result (for 3 days): {clause(str(exc))}. The "
                "transcript is stored here; delete_after_result = false stops asking."
            )

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
            return export.render(result, fmt, channel, job.options.speaker_labeling)
        except export.ExportError as exc:
            raise UserError(str(exc)) from None

    def cleanup(self, job: Job, force: bool = False) -> None:
        """Once a job is finished (or forgotten): delete its prepared audio and its uploaded object."""
        if not (force or job.state in FINAL_STATES):
            return
        self.drop_payload(job)
        if job.object_uri:
            self._drop_object(job)

    def drop_payload(self, job: Job) -> None:
        if job.payload_path and not self.history.payload_in_use(job.payload_path, except_job=job.id):
            Path(job.payload_path).unlink(missing_ok=True)

    def _drop_object(self, job: Job) -> None:
        storage = self.profile.storage
        if job.profile != self.profile.name or storage is None or not storage.delete_after_result:
            return
        if self._deletes_refused:
            return
        if job.object_uri is None or self.history.object_in_use(job.object_uri, except_job=job.id):
            return
        where = parse_object_uri(job.object_uri, storage.uri_base)
        if where is None or where[0] != storage.bucket:
            self.warn(
                f"Job #{job.id}: {job.object_uri} is not in the bucket {storage.bucket!r}; left as it is."
            )
            return
        try:
            self.backend.object_store().delete(where[1])
        except StorageError as exc:
            if exc.denied:
                self._deletes_refused = True
                self.warn(
                    f"{exc} Uploaded audio stays in the bucket; grant the role, or set "
                    "delete_after_result = false (a lifecycle rule on the bucket can expire it)."
                )
            else:
                self.warn(f"Job #{job.id}: the uploaded audio stays in the bucket: {exc}")
            return
        except ConfigError as exc:
            self.warn(f"Job #{job.id}: the uploaded audio stays in the bucket: {exc}")
            return
        self.history.set_uploaded(job.id, None)
