"""The use-cases both frontends share: submit, poll, wait, import, forget, export."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt

from . import audio, export
from .api import OperationState, ServiceError
from .backend import Backend
from .config import ConfigError, Profile
from .formatting import no_transcript
from .history import History, HistoryError, JobNotFound
from .jobs import FINAL_STATES, Job, JobState, RequestOptions
from .paths import Paths
from .poller import HOUR, Poller, budget_wait, first_check_at
from .prepare import Payload, PrepareError, Progress, prepare, sweep_parts
from .speechkit import canonical_language, options_problem
from .storage import StorageError, object_key, parse_object_uri

log = logging.getLogger(__name__)

# No submission takes this long (a 4 h file converts in minutes): past it, even a live pid is a reused one.
MAX_SUBMISSION_SECONDS = 6 * 3600
INTERRUPTED = (
    "Interrupted while submitting: the operation id was never stored. If the service accepted the audio, "
    "its id is unknown; submit the file again."
)
INTERRUPTED_BEFORE_SENDING = (
    "Interrupted before the audio was sent; nothing reached the service. Submit the file again."
)


class UserError(Exception):
    """Something the user can fix (a bad file, an unknown id); one sentence."""


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


def _quiet(stage: str, fraction: float) -> None:
    pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, alive
    return True


def submission_interrupted(job: Job, now: float, pid_alive: Callable[[int], bool]) -> bool:
    """Whether a `submitting` row was left by a process that is gone (or is impossibly old)."""
    if job.state != JobState.SUBMITTING:
        return False
    if now - job.created_at > MAX_SUBMISSION_SECONDS:
        return True
    return job.submitter_pid is None or (
        job.submitter_pid != os.getpid() and not pid_alive(job.submitter_pid)
    )


def build_request(
    payload: Payload, options: RequestOptions, uri: str, folder_id: str = ""
) -> stt.LongRunningRecognitionRequest:
    """The LongRunningRecognize request for a prepared payload."""
    spec = stt.RecognitionSpec(
        audio_encoding=payload.encoding.value,
        language_code=options.language,
        model=options.model,
        profanity_filter=options.profanity_filter,
        literature_text=options.literature_text,
        raw_results=options.raw_results,
    )
    if payload.encoding == audio.Encoding.LINEAR16_PCM:
        # The docs call the rate both defaulted and required for LPCM: always send it, and the count.
        spec.sample_rate_hertz = payload.sample_rate
        spec.audio_channel_count = payload.channels
    return stt.LongRunningRecognitionRequest(
        config=stt.RecognitionConfig(specification=spec, folder_id=folder_id),
        audio=stt.RecognitionAudio(uri=uri),
    )


def disk_trouble(exc: OSError, what: str) -> str:
    """One sentence for a failure of the local disk while preparing or storing audio."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"The disk is full: {what} failed{where}; free some space and try again."
    return f"Could not finish {what}: {exc.strerror or exc}{where}."


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
    backend: Backend = field(init=False, repr=False)
    _deletes_refused: bool = False  # the bucket said no once: do not ask (and warn) for every job

    def __post_init__(self) -> None:
        self.backend = Backend(self.paths, self.profile, env=self.env, warn=self.warn, clock=self.clock)

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

    def _get_operation(self, operation_id: str) -> OperationState:
        try:
            with self.backend.client() as client:
                return client.get_operation(operation_id)
        except ConfigError as exc:
            # Missing or unreadable credentials: the poller records it on the job and retries later,
            # so fixing the config is enough to carry on.
            raise ServiceError(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None

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
            self._get_operation,
            self.profile.poll_policy,
            clock=self.clock,
            rand=self.rand,
            on_finished=self._cleanup,
        )

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
        problem = options_problem(options.language, options.model)
        if problem:
            raise UserError(problem)
        return dataclasses.replace(options, language=canonical_language(options.language) or options.language)

    def submit(self, path: str | Path, options: RequestOptions, progress: Progress = _quiet) -> Job:
        """Check, prepare (convert if needed) and submit one file; the job is in the history throughout.

        A file the service would refuse, or options it does not know, raise UserError and leave no row;
        from the moment it is accepted here, the row exists (`submitting` while it is prepared and sent).
        """
        options = self.check_options(options)
        probe, verdict = self.inspect(path)
        if verdict.refused:
            raise UserError(f"{Path(path).name} cannot be sent: {' '.join(verdict.reasons)}")
        for note in verdict.notes:
            self.warn(f"{Path(path).name}: {note}")
        wait = self.request_wait()
        if wait > 0:
            raise QuotaExceeded(self.profile.requests_per_hour, wait)
        with self.backend.client():
            pass  # missing credentials or engine trouble: said before any row or upload
        store = None if self.profile.local else self.backend.object_store()
        if store is not None:
            store.check_bucket()
        job = self.history.add_submitting(
            profile=self.profile.name,
            file_path=str(Path(path).resolve()),
            options=options,
            file_size=probe.size,
            probe=probe.to_dict(),
            audio_seconds=probe.duration,
            channels=probe.channels,
        )
        with self._failing(job, "preparing"):
            try:
                payload = prepare(probe, verdict, self.outbox, progress)
            except PrepareError as exc:
                raise UserError(str(exc)) from None
            job = self.history.set_prepared(
                job.id,
                file_hash=payload.sha256,
                encoding=payload.encoding.value,
                payload_path=str(payload.path),
            )
        uri = payload.path.as_uri()
        if store is not None:
            with self._failing(job, "uploading"):
                key = object_key(store.settings.prefix, payload.sha256, payload.encoding.value)
                uri = store.upload(payload.path, key, progress)
                job = self.history.set_uploaded(job.id, uri)
        with self._failing(job, "sending"):
            self.history.record_call(self.profile.name, "submit")
            job = self.history.mark_sending(job.id)
        sent = self.clock()
        try:
            with self.backend.client() as client:
                op = client.recognize(build_request(payload, options, uri, self.profile.folder_id))
        except ServiceError as exc:
            self._cleanup(self.history.set_state(job.id, JobState.FAILED, error=str(exc)))
            raise
        # Anything else (Ctrl-C among them) leaves the row `submitting`: the call may have reached the
        # service, so only recover_interrupted() may call it lost, once this process is gone.
        answered = self.clock()
        created = self._measure_skew(op, sent, answered)
        first = first_check_at(
            created, probe.duration, probe.channels, options.deferred, self.profile.poll_policy, self.rand
        )
        job = self.history.mark_submitted(job.id, op.id, created, first)
        if store is not None:
            self._drop_payload(job)  # the service reads the bucket; the local copy has done its part
        return job

    def _measure_skew(self, op: OperationState, sent: float, answered: float) -> float:
        """When the operation was created, on this machine's clock; the service's clock offset is stored.

        A new operation is created while the call is in flight: its `created_at` against the middle of
        the call is how far the service's clock is ahead of this one's.
        """
        local = (sent + answered) / 2
        if op.created_at is None:
            return local
        skew = op.created_at.timestamp() - local
        # Whole-second timestamps and the call's own length make small offsets noise.
        if abs(skew) < max(2.0, answered - sent):
            skew = 0.0
        self.history.set_clock_skew(self.profile.name, skew)
        return local

    @contextlib.contextmanager
    def _failing(self, job: Job, stage: str) -> Iterator[None]:
        """A failure while the audio is prepared or uploaded ends the job as failed, with the reason."""
        try:
            yield
        except (UserError, StorageError, ConfigError, HistoryError) as exc:
            self._fail(job, str(exc))
            raise
        except OSError as exc:
            error = disk_trouble(exc, f"{stage} the audio")
            self._fail(job, error)
            raise UserError(error) from None
        except BaseException:
            self._fail(job, f"Interrupted while {stage} the audio.")
            raise

    def _fail(self, job: Job, error: str) -> None:
        # If even that cannot be written, the row stays `submitting`: recover_interrupted() settles it.
        with contextlib.suppress(HistoryError, JobNotFound):
            self._cleanup(self.history.set_state(job.id, JobState.FAILED, error=error))

    def import_operation(self, operation_id: str, options: RequestOptions | None = None) -> Job:
        """Add an operation started elsewhere, once the service confirms it knows the id."""
        operation_id = operation_id.strip()
        if not operation_id.isalnum() or len(operation_id) > 50:
            raise UserError(f"{operation_id[:60]!r} is not an operation id.")
        options = options or RequestOptions(language="", model="")
        if options.language or options.model:
            self.check_options(
                dataclasses.replace(
                    options, language=options.language or "ru-RU", model=options.model or "general"
                )
            )
        try:
            existing = self.history.find(operation_id)
        except JobNotFound:
            existing = None
        if existing is not None and existing.operation_id == operation_id:
            return existing
        try:
            state = self._get_operation(operation_id)
        except ServiceError as exc:
            if exc.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise UserError(
                    f"The {self.profile.name} service does not know operation {operation_id}: the id is "
                    "wrong, belongs to another account or profile, or its result has expired (3 days)."
                ) from None
            raise
        now = self.clock()
        created = self.local_time(state.created_at.timestamp()) if state.created_at else now
        job = self.history.import_operation(
            profile=self.profile.name, operation_id=operation_id, options=options,
            created_at=created, next_poll_at=now,
        )  # fmt: skip
        self.history.record_call(self.profile.name, "check", now)
        return self.poller().record(job, state, now)

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
            for job in poller.poll_due(only=ids):
                on_update(job)
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
            state = client.cancel_operation(job.operation_id or "")
        try:
            return self.poller().record(job, state, self.clock())
        except JobNotFound:
            raise UserError(f"Job #{job.id} was forgotten meanwhile.") from None

    def recover_interrupted(self) -> list[Job]:
        """`submitting` rows left by a process that died mid-call: shown as failed, never dropped."""
        recovered = []
        now = self.clock()
        for job in self.history.submissions():
            if not submission_interrupted(job, now, _pid_alive):
                continue
            error = INTERRUPTED if job.sent_at is not None else INTERRUPTED_BEFORE_SENDING
            try:
                failed = self.history.set_state(job.id, JobState.FAILED, error=error)
            except JobNotFound:
                continue
            self._cleanup(failed)  # its prepared audio, and an object it may have uploaded
            recovered.append(failed)
        return recovered

    def forget(self, job: Job) -> None:
        self._cleanup(job, force=True)
        self.history.forget(job.id)

    def transcript_json(self, job: Job) -> str:
        """The stored result of a job that has a transcript; UserError (one wording) otherwise."""
        result = self.history.result(job.id) if job.state == JobState.DONE else None
        if result is None:
            raise UserError(no_transcript(job))
        return result

    def export(self, job: Job, fmt: str, channel: int | None = None) -> str:
        """Render the stored result; never asks the server."""
        result = self.transcript_json(job)
        try:
            return export.render(result, fmt, channel)
        except export.ExportError as exc:
            raise UserError(str(exc)) from None

    def _cleanup(self, job: Job, force: bool = False) -> None:
        """Once a job is finished (or forgotten): delete its prepared audio and its uploaded object."""
        if not (force or job.state in FINAL_STATES):
            return
        self._drop_payload(job)
        if job.object_uri:
            self._drop_object(job)

    def _drop_payload(self, job: Job) -> None:
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
