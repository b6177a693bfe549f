"""The use-cases both frontends share: submit, poll, wait, import, forget, export."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt

from . import audio, credentials, export
from .api import ChannelSettings, Credentials, Endpoints, OperationState, ServiceError, SpeechKitClient
from .api.iam import IamTokenClient, ServiceAccountCredentials, ServiceAccountKey
from .config import ConfigError, Profile
from .history import History
from .jobs import FINAL_STATES, Job, JobState, RequestOptions
from .local_engine import EngineStartError, ensure_engine, is_serving
from .paths import Paths
from .poller import HOUR, Poller, budget_wait, first_check_at
from .prepare import Payload, PrepareError, Progress, prepare
from .storage import ObjectStore, StorageError, object_key, parse_object_uri

log = logging.getLogger(__name__)

# No submission takes this long (a 4 h file converts in minutes): past it, even a live pid is a reused one.
MAX_SUBMISSION_SECONDS = 6 * 3600
INTERRUPTED = (
    "Interrupted while submitting: the operation id was never stored. If the service accepted the audio, "
    "its id is unknown; submit the file again."
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
        audio_encoding=stt.RecognitionSpec.AudioEncoding.Value(payload.encoding.value),
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
    _client: SpeechKitClient | None = None
    _store: ObjectStore | None = None
    _iam: IamTokenClient | None = None
    _deletes_refused: bool = False  # the bucket said no once: do not ask (and warn) for every job
    # The TUI submits and polls from different threads: one connection between them.
    _client_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, paths: Paths, profile: Profile, **kw) -> Service:
        return cls(paths, profile, History(paths.history, clock=kw.get("clock", time.time)), **kw)

    @property
    def outbox(self) -> Path:
        return self.paths.outbox

    # --- connection -----------------------------------------------------------------------------

    def client(self) -> SpeechKitClient:
        """The connection, made on first use; the local profile starts its engine if it is not running.

        A cloud profile without usable credentials raises ConfigError, saying what to set.
        """
        with self._client_lock:
            return self._connect()

    def _connect(self) -> SpeechKitClient:
        if self._client is None:
            if self.profile.local:
                self.outbox.mkdir(parents=True, exist_ok=True, mode=0o700)  # the engine may read it
                try:
                    target = ensure_engine(self.paths, allowed_roots=[self.outbox])
                except EngineStartError as exc:
                    raise ServiceError(grpc.StatusCode.UNAVAILABLE, str(exc)) from None
                self._client = SpeechKitClient(Endpoints.single(ChannelSettings(target)))
            else:
                creds = self._cloud_credentials()
                endpoints = Endpoints(
                    self._cloud_channel(self.profile.stt_endpoint),
                    self._cloud_channel(self.profile.operation_endpoint),
                )
                self._client = SpeechKitClient(endpoints, credentials=creds)
        return self._client

    def _cloud_channel(self, target: str | None) -> ChannelSettings:
        if not target:
            raise ConfigError(f"The {self.profile.name} profile lacks an endpoint.")
        # The real service is TLS only: a cloud profile never falls back to plaintext, even on loopback.
        return ChannelSettings(target, tls=True, root_certificates=self._roots())

    def _roots(self) -> bytes | None:
        if not self.profile.ca_file:
            return None
        try:
            return Path(self.profile.ca_file).read_bytes()
        except OSError as exc:
            raise ConfigError(f"The CA file {self.profile.ca_file} cannot be read: {exc.strerror}.") from None

    def _cloud_credentials(self) -> Credentials:
        found = credentials.speechkit_credential(self.profile, self.env)
        for warning in found.warnings:
            self.warn(warning)
        if not isinstance(found.value, ServiceAccountKey):
            return found.value
        self._iam = IamTokenClient(self._cloud_channel(self.profile.iam_endpoint))
        return ServiceAccountCredentials(found.value, self._iam.exchange, clock=self.clock)

    def object_store(self) -> ObjectStore:
        """The cloud profile's bucket, reached on first use."""
        with self._client_lock:
            if self._store is None:
                if self.profile.storage is None:
                    raise ConfigError(f"The {self.profile.name} profile has no storage settings.")
                found = credentials.storage_key(self.profile, self.env)
                for warning in found.warnings:
                    self.warn(warning)
                self._store = ObjectStore(
                    self.profile.storage, found.value.access_key_id, found.value.secret_access_key
                )
            return self._store

    def _get_operation(self, operation_id: str) -> OperationState:
        try:
            return self.client().get_operation(operation_id)
        except ConfigError as exc:
            # Missing or unreadable credentials: the poller records it on the job and retries later,
            # so fixing the config is enough to carry on.
            raise ServiceError(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None
        except ServiceError as exc:
            if exc.code == grpc.StatusCode.UNAVAILABLE and self.profile.local:
                # The engine may have stopped: the next call starts it again.
                self._drop_client()
            raise

    def disconnect(self) -> None:
        """Close the connections (they are made again on next use); the history stays open."""
        self._drop_client()

    def _drop_client(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            if self._iam is not None:
                self._iam.close()
                self._iam = None

    def engine_running(self) -> bool | None:
        """Local profile: whether the engine answers right now; None for a cloud profile."""
        if not self.profile.local:
            return None
        return is_serving(self.paths.engine_target, timeout=0.25)

    def close(self) -> None:
        self._drop_client()
        self.history.close()

    def requests_this_hour(self) -> int:
        """Recognition requests sent in the last hour under this profile (by any process)."""
        return len(self.history.calls_since(self.profile.name, "submit", self.clock() - HOUR))

    def request_wait(self) -> float:
        """Seconds until one more recognition request fits in the hourly quota (0: now)."""
        now = self.clock()
        recent = self.history.calls_since(self.profile.name, "submit", now - HOUR)
        return budget_wait(recent, now, self.profile.requests_per_hour)

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

    # --- use-cases ------------------------------------------------------------------------------

    def inspect(self, path: str | Path) -> tuple[audio.Probe, audio.Verdict]:
        """Probe a file and say whether and how it can be sent; raises UserError if it cannot be read."""
        try:
            probe = audio.probe(path)
        except audio.ProbeError as exc:
            raise UserError(str(exc)) from None
        return probe, audio.check(probe)

    def submit(self, path: str | Path, options: RequestOptions, progress: Progress = _quiet) -> Job:
        """Check, prepare (convert if needed) and submit one file; the job is in the history throughout.

        A file the service would refuse raises UserError and leaves no row; from the moment it is
        accepted here, the row exists (`submitting` while it is prepared and sent).
        """
        probe, verdict = self.inspect(path)
        if verdict.refused:
            raise UserError(f"{Path(path).name} cannot be sent: {' '.join(verdict.reasons)}")
        wait = self.request_wait()
        if wait > 0:
            raise QuotaExceeded(self.profile.requests_per_hour, wait)
        self.client()  # missing credentials or engine trouble: said before any row or upload
        store = None if self.profile.local else self.object_store()
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
            job.id, file_hash=payload.sha256, encoding=payload.encoding.value, payload_path=str(payload.path)
        )
        uri = payload.path.as_uri()
        if store is not None:
            with self._failing(job, "uploading"):
                key = object_key(store.settings.prefix, payload.sha256, payload.encoding.value)
                uri = store.upload(payload.path, key, progress)
            job = self.history.set_uploaded(job.id, uri)
        self.history.record_call(self.profile.name, "submit")
        try:
            op = self.client().recognize(build_request(payload, options, uri, self.profile.folder_id))
        except ServiceError as exc:
            self._cleanup(self.history.set_state(job.id, JobState.FAILED, error=str(exc)))
            raise
        # Anything else (Ctrl-C among them) leaves the row `submitting`: the call may have reached the
        # service, so only recover_interrupted() may call it lost, once this process is gone.
        created = op.created_at.timestamp() if op.created_at else self.clock()
        first = first_check_at(
            created, probe.duration, probe.channels, options.deferred, self.profile.poll_policy, self.rand
        )
        job = self.history.mark_submitted(job.id, op.id, created, first)
        if store is not None:
            self._drop_payload(job)  # the service reads the bucket; the local copy has done its part
        return job

    @contextlib.contextmanager
    def _failing(self, job: Job, stage: str):
        """A failure while the audio is prepared or uploaded ends the job as failed, with the reason."""
        try:
            yield
        except (UserError, StorageError, ConfigError) as exc:
            self._cleanup(self.history.set_state(job.id, JobState.FAILED, error=str(exc)))
            raise
        except BaseException:
            error = f"Interrupted while {stage} the audio."
            self._cleanup(self.history.set_state(job.id, JobState.FAILED, error=error))
            raise

    def import_operation(self, operation_id: str, options: RequestOptions | None = None) -> Job:
        """Add an operation started elsewhere; it is recorded before the service is asked about it."""
        operation_id = operation_id.strip()
        if not operation_id.isalnum() or len(operation_id) > 50:
            raise UserError(f"{operation_id!r} is not an operation id.")
        now = self.clock()
        job = self.history.import_operation(
            profile=self.profile.name,
            operation_id=operation_id,
            options=options or RequestOptions(language="", model=""),
            created_at=now,
            next_poll_at=now,
        )
        return self.refresh(job) if job.state == JobState.RUNNING else job

    def refresh(self, job: Job) -> Job:
        """Ask about one job now (counted against the budget)."""
        if job.state != JobState.RUNNING:
            return job
        self._check_profile(job)
        return self.poller().check(job)

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
        """Poll on the stored schedule until every job is finished (or the timeout passes)."""
        jobs = list(jobs)
        for job in jobs:
            if job.state not in FINAL_STATES:
                self._check_profile(job)
        ids = [j.id for j in jobs]
        poller = self.poller()
        deadline = None if timeout is None else self.clock() + timeout
        while True:
            current = [self.history.get(i) for i in ids]
            if all(j.state in FINAL_STATES for j in current):
                return current
            if deadline is not None and self.clock() >= deadline:
                return current
            for job in poller.poll_due(only=ids):
                on_update(job)
            wake = poller.next_wakeup(only=ids)
            # None: nothing pollable yet (another process is still submitting); look again soon.
            delay = 1.0 if wake is None else wake
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - self.clock()))
            if delay > 0:
                sleep(min(delay, 5.0))

    def cancel(self, job: Job) -> Job:
        """Ask the service to stop a running job (it may finish anyway); the answer is recorded."""
        if job.state != JobState.RUNNING:
            raise UserError(f"Job #{job.id} is {job.state}; only a running job can be cancelled.")
        self._check_profile(job)
        state = self.client().cancel_operation(job.operation_id)
        return self.poller().record(job, state, self.clock())

    def recover_interrupted(self) -> list[Job]:
        """`submitting` rows left by a process that died mid-call: shown as failed, never dropped."""
        recovered = []
        now = self.clock()
        for job in self.history.submissions():
            if not submission_interrupted(job, now, _pid_alive):
                continue
            failed = self.history.set_state(job.id, JobState.FAILED, error=INTERRUPTED)
            self._cleanup(failed)  # its prepared audio, and an object it may have uploaded
            recovered.append(failed)
        return recovered

    def forget(self, job: Job) -> None:
        self._cleanup(job, force=True)
        self.history.forget(job.id)

    def export(self, job: Job, fmt: str, channel: int | None = None) -> str:
        """Render the stored result; never asks the server."""
        result = self.history.result(job.id)
        if result is None:
            raise UserError(f"Job #{job.id} has no stored result (it is {job.state}).")
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
        if self.history.object_in_use(job.object_uri, except_job=job.id):
            return
        where = parse_object_uri(job.object_uri, storage.uri_base)
        if where is None or where[0] != storage.bucket:
            self.warn(
                f"Job #{job.id}: {job.object_uri} is not in the bucket {storage.bucket!r}; left as it is."
            )
            return
        try:
            self.object_store().delete(where[1])
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
