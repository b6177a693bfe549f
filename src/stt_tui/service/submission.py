"""Sending files to the service, and adopting operations started elsewhere: the row stays true at every
step (written before anything is sent, completed the moment the operation id is known)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2
from stt_tui.api import OperationState, ServiceError
from stt_tui.api.operations import OtherApi
from stt_tui.audio.prepare import Payload, PrepareError, Progress, SourceChanged, no_progress, prepare
from stt_tui.audio.probe import Probe, ProbeError, Verdict, check, probe
from stt_tui.connection.recognition_requests import build_file_request, build_request
from stt_tui.connection.storage import ObjectStore, StorageError
from stt_tui.history import HistoryError, JobNotFound
from stt_tui.jobs.model import Job, JobState, Request, RequestOptions
from stt_tui.jobs.schedule import expected_work, first_check_at
from stt_tui.service.cleanup import Cleanup
from stt_tui.service.content import Known, known_from
from stt_tui.service.context import Context
from stt_tui.service.errors import AudioChanged, QuotaExceeded, SameAudio, UserError, disk_trouble
from stt_tui.service.operations import Operations
from stt_tui.service.plan import Plan, plan_file, service_options, with_audio
from stt_tui.settings.config import ConfigError
from stt_tui.shared.objects import object_key
from stt_tui.shared.processes import pid_alive
from stt_tui.shared.speechkit import MAX_INLINE_BYTES, V3

# A recognition request as sent: v2's message, v3's message, or v3's serialized with the audio inline.
Sendable = stt_service_pb2.LongRunningRecognitionRequest | stt_pb2.RecognizeFileRequest | bytes

# No submission takes this long (a 4 h file converts in minutes): past it, even a live pid is a reused one.
MAX_SUBMISSION_SECONDS = 6 * 3600
INTERRUPTED = (
    "Interrupted while submitting: the operation id was never stored. If the service accepted the audio, "
    "its id is unknown; submit the file again."
)
INTERRUPTED_BEFORE_SENDING = (
    "Interrupted before the audio was sent; nothing reached the service. Submit the file again."
)


def submission_interrupted(job: Job, now: float, pid_alive: Callable[[int], bool]) -> bool:
    """Whether a `submitting` row was left by a process that is gone (or is impossibly old)."""
    if job.state != JobState.SUBMITTING:
        return False
    if now - job.created_at > MAX_SUBMISSION_SECONDS:
        return True
    return job.submitter_pid is None or (
        job.submitter_pid != os.getpid() and not pid_alive(job.submitter_pid)
    )


def inspect(path: str | Path) -> tuple[Probe, Verdict]:
    """Probe a file and say whether and how it can be sent; UserError if it cannot be read."""
    try:
        found = probe(path)
    except ProbeError as exc:
        raise UserError(str(exc)) from None
    return found, check(found)


class Submission:
    """The submit use cases of one profile: sending files, adopting operations, settling interrupted
    submissions."""

    def __init__(self, context: Context, cleanup: Cleanup, operations: Operations) -> None:
        self.context = context
        self.cleanup = cleanup
        self.operations = operations

    def service_options(self, options: RequestOptions) -> RequestOptions:
        """The options as the service spells them; UserError for a language or model it does not know,
        or for what the profile's API cannot do."""
        return service_options(options, self.context.profile.api)

    def request_of(self, options: RequestOptions) -> Request:
        """What sending with these options asks of this profile (a repeat is the same audio and request)."""
        profile = self.context.profile
        return Request.of(profile.name, profile.api, options)

    def plan(
        self,
        path: str | Path,
        options: RequestOptions,
        progress: Progress = no_progress,
        *,
        again: bool = False,
        earlier: Iterable[Job] | None = None,
    ) -> Plan:
        """Check one file and hash it, and (unless `again`) ask the history what became of its audio
        (`earlier`: the jobs of its audio, already read); UserError for a file or options the service would
        refuse (nothing is written)."""
        options = self.service_options(options)  # an unknown language is said before the file is read
        found, verdict = inspect(path)
        plan = plan_file(Path(path).resolve(), found, verdict, options, self.context.profile)
        try:
            sha = self.context.content.sha256(plan.path, progress)
        except OSError as exc:
            raise UserError(disk_trouble(exc, "reading the file")) from None
        if not again and earlier is None:
            earlier = self.context.content.jobs(sha)
        return with_audio(plan, sha, None if again else earlier)

    def submit(
        self,
        path: str | Path,
        options: RequestOptions,
        progress: Progress = no_progress,
        *,
        again: bool = False,
        export: tuple[str, ...] | None = None,
    ) -> Job:
        """Check, prepare (convert if needed) and submit one file; the job is in the history throughout.

        A file the service would refuse, or options it does not know, raise UserError and leave no row;
        from the moment it is accepted here, the row exists (`submitting` while it is prepared and sent).
        Audio already transcribed with the same request, or on its way, raises SameAudio unless `again`.
        `export`: formats written beside the file once it is done (None: the profile's auto_export).
        """
        plan = self.plan(path, options, progress, again=again)
        if (same := plan.same_audio()) is not None:
            raise same  # said early (before an engine starts or a bucket is asked); the claim decides
        return self.send(plan, progress, again=again, export=export)

    def send(
        self, plan: Plan, progress: Progress = no_progress, *, again: bool = False,
        export: tuple[str, ...] | None = None,
    ) -> Job:  # fmt: skip
        """Claim, prepare, upload and send a planned file (see submit). SameAudio when another process
        sent the same audio with the same request meanwhile (unless `again`); QuotaExceeded before any
        row when the hourly quota is used up."""
        if (note := plan.other_options_note(self.context.profile.api)) is not None:
            self.context.tell(note)
        for note in plan.verdict.notes:
            self.context.warn(f"{plan.name}: {note}")
        wait = self.context.request_wait()
        if wait > 0:
            raise QuotaExceeded(self.context.profile.requests_per_hour, wait)
        with self.context.backend.client():
            pass  # missing credentials or engine trouble: said before any row or upload
        store = None if self.context.profile.local or plan.inline else self.context.backend.object_store()
        if store is not None:
            store.check_bucket()
        job = self._claim(plan, again)
        formats = self.context.profile.auto_export if export is None else export
        with self._failing(job, "preparing"):
            if formats:
                self.context.history.add_delivery(job.id, str(plan.path), formats)
            job, payload, store = self._prepare(job, plan, store, progress)
        inline = plan.inline and store is None
        uri = payload.path.as_uri()
        if store is not None:
            with self._failing(job, "uploading"):
                key = object_key(store.settings.prefix, payload.sha256, payload.extension)
                uri = store.upload(payload.path, key, progress)
                job = self.context.history.set_uploaded(job.id, uri)
        with self._failing(job, "sending"):
            request = self._request(plan, payload, uri, inline)
        job = self._call(job, plan, request)
        if store is not None or inline:
            self.cleanup.drop_payload(job)  # the service has the audio; the local copy has done its part
        return job

    def _claim(self, plan: Plan, again: bool) -> Job:
        """The `submitting` row, claimed in one transaction with the question whether the audio was sent
        with this request meanwhile (by any process); SameAudio if it was."""
        repeat: list[Known] = []

        def repeats(jobs: list[Job]) -> bool:
            known = None if again else known_from(jobs, plan.request)
            if known is not None and known.would_repeat:
                repeat.append(known)
            return bool(repeat)

        found = plan.probe
        claimed = self.context.history.claim_submitting(
            unless=repeats, profile=self.context.profile.name, file_path=str(plan.path),
            options=plan.options, file_size=found.size, file_hash=plan.sha256, probe=found.to_dict(),
            audio_seconds=found.duration, channels=found.channels, api=self.context.profile.api,
        )  # fmt: skip
        if claimed is None:  # another process sent the same audio with the same request meanwhile
            raise SameAudio(plan.path, repeat[0])
        return claimed

    def _prepare(
        self, job: Job, plan: Plan, store: ObjectStore | None, progress: Progress
    ) -> tuple[Job, Payload, ObjectStore | None]:
        """The audio as it is sent, in the outbox; too big once prepared to go inline, it goes through
        the bucket (the store to upload to)."""
        v3 = self.context.profile.api == V3
        try:
            payload = prepare(
                plan.probe, plan.verdict, self.context.outbox, progress, plan.sha256, keep_wav=v3
            )
        except SourceChanged as exc:
            raise AudioChanged(str(exc)) from None
        except PrepareError as exc:
            raise UserError(str(exc)) from None
        if plan.inline and payload.path.stat().st_size > MAX_INLINE_BYTES:
            if not self.context.profile.has_bucket:
                size = payload.path.stat().st_size / 2**20
                raise UserError(
                    f"{plan.name} is {size:.0f} MB once prepared, over the 60 MB a request can carry, and "
                    "the profile has no bucket."
                )
            store = self.context.backend.object_store()
        job = self.context.history.set_prepared(
            job.id, file_hash=payload.sha256, encoding=payload.encoding.value, payload_path=str(payload.path)
        )
        return job, payload, store

    def _request(self, plan: Plan, payload: Payload, uri: str, inline: bool) -> Sendable:
        """The recognition request, v2 or v3, the audio inline or by its URI."""
        if self.context.profile.api != V3:
            return build_request(payload, plan.options, uri, self.context.profile.folder_id)
        if inline:
            # Serialized here, the file's bytes and the message let go at once: the audio is held once
            # while it is sent (twice with gRPC's own buffer), not three times.
            content = payload.path.read_bytes()
            return build_file_request(payload, plan.options, content=content).SerializeToString()
        return build_file_request(payload, plan.options, uri=uri)

    def _call(self, job: Job, plan: Plan, request: Sendable) -> Job:
        """The call itself, counted against the quota; the operation id stored the moment it is known,
        with the time of its first check."""
        with self._failing(job, "sending"), self.context.backend.client(submitting=True):
            self.context.history.record_call(self.context.profile.name, "submit")
            job = self.context.history.mark_sending(job.id)
        sent = self.context.clock()
        try:
            with self.context.backend.client(submitting=True) as client:
                if isinstance(request, stt_service_pb2.LongRunningRecognitionRequest):
                    op = client.recognize(request)
                else:
                    op = client.recognize_file(request)
        except ServiceError as exc:
            if exc.code == grpc.StatusCode.CANCELLED:
                raise  # cut off by a quit: the service may have it; recover_interrupted() says so
            self.cleanup.after(self.context.history.set_state(job.id, JobState.FAILED, error=str(exc)))
            raise
        # Anything else (Ctrl-C among them) leaves the row `submitting`: the call may have reached the
        # service, so only recover_interrupted() may call it lost, once this process is gone.
        created = self._measure_skew(op, sent, self.context.clock())
        found, options = plan.probe, plan.options
        policy = self.context.working_policy(options.model)  # the speed it has been seen to work at
        rand = self.context.rand
        first = first_check_at(created, found.duration, found.channels, options.deferred, policy, rand)
        expected = None if options.deferred else expected_work(found.duration, found.channels, policy)
        return self.context.history.mark_submitted(job.id, op.id, created, first, expected)

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
        self.context.history.set_clock_skew(self.context.profile.name, skew)
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
            self.cleanup.after(self.context.history.set_state(job.id, JobState.FAILED, error=error))

    def import_operation(
        self, operation_id: str, options: RequestOptions | None = None, api: str | None = None
    ) -> Job:
        """Add an operation started elsewhere, once the service confirms it knows the id; `api`: the
        one it was started with (the profile's when not said; a done one tells by its response)."""
        operation_id = operation_id.strip()
        if not operation_id.isalnum() or len(operation_id) > 50:
            raise UserError(f"{operation_id[:60]!r} is not an operation id.")
        options = options or RequestOptions(language="", model="")
        if options.language or options.model:
            self.service_options(
                dataclasses.replace(
                    options, language=options.language or "ru-RU", model=options.model or "general"
                )
            )
        try:
            existing = self.context.history.find(operation_id)
        except JobNotFound:
            existing = None
        if existing is not None and existing.operation_id == operation_id:
            return existing
        api = api or self.context.profile.api
        try:
            try:
                state = self.operations.get(operation_id, api)
            except OtherApi as other:
                api = other.api
                state = self.operations.get(operation_id, api)
        except ServiceError as exc:
            if exc.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise UserError(
                    f"The {self.context.profile.name} service does not know operation {operation_id}: "
                    "the id is "
                    "wrong, belongs to another account or profile, or its result has expired (3 days)."
                ) from None
            raise
        now = self.context.clock()
        created = self.context.local_time(state.created_at.timestamp()) if state.created_at else now
        job = self.context.history.import_operation(
            profile=self.context.profile.name, operation_id=operation_id, options=options,
            created_at=created, next_poll_at=now, api=api,
        )  # fmt: skip
        self.context.history.record_call(self.context.profile.name, "check", now)
        return self.operations.poller().record(job, state, now)

    def recover_interrupted(self) -> list[Job]:
        """`submitting` rows left by a process that died mid-call: shown as failed, never dropped."""
        recovered: list[Job] = []
        if self.context.history.read_only:
            return recovered  # settled by the next process that can write
        now = self.context.clock()
        for job in self.context.history.submissions():
            if not submission_interrupted(job, now, pid_alive):
                continue
            error = INTERRUPTED if job.sent_at is not None else INTERRUPTED_BEFORE_SENDING
            try:
                failed = self.context.history.set_state(job.id, JobState.FAILED, error=error)
            except JobNotFound:
                continue
            except HistoryError:
                break  # a full disk: reading goes on, the rows stay as they are until it can be written
            self.cleanup.after(failed)  # its prepared audio, and an object it may have uploaded
            recovered.append(failed)
        return recovered
