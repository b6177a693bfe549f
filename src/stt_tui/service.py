"""The use-cases both frontends share: submit, poll, wait, import, forget, export."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt

from . import audio, export
from .api import ChannelSettings, Endpoints, OperationState, ServiceError, SpeechKitClient
from .config import Profile
from .history import History
from .jobs import FINAL_STATES, Job, JobState, RequestOptions
from .local_engine import EngineStartError, ensure_engine, is_serving
from .paths import Paths
from .poller import Poller, first_check_at
from .prepare import Payload, PrepareError, Progress, prepare

# No submission takes this long (a 4 h file converts in minutes): past it, even a live pid is a reused one.
MAX_SUBMISSION_SECONDS = 6 * 3600
INTERRUPTED = (
    "Interrupted while submitting: the operation id was never stored. If the service accepted the audio, "
    "its id is unknown; submit the file again."
)


class UserError(Exception):
    """Something the user can fix (a bad file, an unknown id); one sentence."""


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


def build_request(payload: Payload, options: RequestOptions, uri: str) -> stt.LongRunningRecognitionRequest:
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
        config=stt.RecognitionConfig(specification=spec), audio=stt.RecognitionAudio(uri=uri)
    )


@dataclass
class Service:
    paths: Paths
    profile: Profile
    history: History
    clock: Callable[[], float] = time.time
    rand: random.Random = field(default_factory=random.Random)
    _client: SpeechKitClient | None = None
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
        """The connection, made on first use; the local profile starts its engine if it is not running."""
        with self._client_lock:
            return self._connect()

    def _connect(self) -> SpeechKitClient:
        if self._client is None:
            if self.profile.local:
                try:
                    target = ensure_engine(self.paths, allowed_roots=[self.outbox])
                except EngineStartError as exc:
                    raise ServiceError(grpc.StatusCode.UNAVAILABLE, str(exc)) from None
                self._client = SpeechKitClient(Endpoints.single(ChannelSettings(target)))
            else:
                self._client = SpeechKitClient(
                    Endpoints(
                        ChannelSettings(self.profile.stt_endpoint),
                        ChannelSettings(self.profile.operation_endpoint),
                    )
                )
        return self._client

    def _get_operation(self, operation_id: str) -> OperationState:
        try:
            return self.client().get_operation(operation_id)
        except ServiceError as exc:
            if exc.code == grpc.StatusCode.UNAVAILABLE and self.profile.local:
                # The engine may have stopped: the next call starts it again.
                self._drop_client()
            raise

    def _drop_client(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def engine_running(self) -> bool | None:
        """Local profile: whether the engine answers right now; None for a cloud profile."""
        if not self.profile.local:
            return None
        return is_serving(self.paths.engine_target, timeout=0.25)

    def close(self) -> None:
        self._drop_client()
        self.history.close()

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
        job = self.history.add_submitting(
            profile=self.profile.name,
            file_path=str(Path(path).resolve()),
            options=options,
            file_size=probe.size,
            probe=probe.to_dict(),
            audio_seconds=probe.duration,
            channels=probe.channels,
        )
        try:
            payload = prepare(probe, verdict, self.outbox, progress)
        except PrepareError as exc:
            self.history.set_state(job.id, JobState.FAILED, error=str(exc))
            raise UserError(str(exc)) from None
        except BaseException:
            self.history.set_state(job.id, JobState.FAILED, error="Interrupted while preparing the audio.")
            raise
        job = self.history.set_prepared(
            job.id, file_hash=payload.sha256, encoding=payload.encoding.value, payload_path=str(payload.path)
        )
        try:
            op = self.client().recognize(build_request(payload, options, payload.path.as_uri()))
        except ServiceError as exc:
            self._cleanup(self.history.set_state(job.id, JobState.FAILED, error=str(exc)))
            raise
        # Anything else (Ctrl-C among them) leaves the row `submitting`: the call may have reached the
        # service, so only recover_interrupted() may call it lost, once this process is gone.
        created = op.created_at.timestamp() if op.created_at else self.clock()
        first = first_check_at(
            created, probe.duration, probe.channels, options.deferred, self.profile.poll_policy, self.rand
        )
        return self.history.mark_submitted(job.id, op.id, created, first)

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
        return self.poller().check(job)

    def wait(
        self,
        jobs: Iterable[Job],
        *,
        timeout: float | None = None,
        on_update: Callable[[Job], None] = lambda job: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> list[Job]:
        """Poll on the stored schedule until every job is finished (or the timeout passes)."""
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
        state = self.client().cancel_operation(job.operation_id)
        return self.poller().record(job, state, self.clock())

    def recover_interrupted(self) -> list[Job]:
        """`submitting` rows left by a process that died mid-call: shown as failed, never dropped."""
        recovered = []
        now = self.clock()
        for job in self.history.submissions():
            if not submission_interrupted(job, now, _pid_alive):
                continue
            recovered.append(self.history.set_state(job.id, JobState.FAILED, error=INTERRUPTED))
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
        """Delete the prepared audio once no unfinished job needs it."""
        if not job.payload_path or not (force or job.state in FINAL_STATES):
            return
        if not self.history.payload_in_use(job.payload_path, except_job=job.id):
            Path(job.payload_path).unlink(missing_ok=True)
