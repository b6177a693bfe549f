"""Sending files to the service, and adopting operations started elsewhere: the row stays true at every
step (written before anything is sent, completed the moment the operation id is known)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2
from stt_tui.api import OperationState, ServiceError
from stt_tui.audio.prepare import PrepareError, Progress, no_progress, prepare
from stt_tui.audio.probe import Probe, ProbeError, Verdict, check, probe
from stt_tui.connection.recognition_requests import (
    build_file_request,
    build_request,
    options_problem_for,
    route,
)
from stt_tui.connection.storage import StorageError
from stt_tui.history import HistoryError, JobNotFound
from stt_tui.jobs.model import Job, JobState, Request, RequestOptions, differences
from stt_tui.jobs.schedule import expected_work, first_check_at
from stt_tui.service.cleanup import Cleanup
from stt_tui.service.content import Seen, known_from
from stt_tui.service.context import Context
from stt_tui.service.errors import QuotaExceeded, SameAudio, UserError, disk_trouble
from stt_tui.service.operations import Operations
from stt_tui.settings.config import ConfigError
from stt_tui.shared.objects import object_key
from stt_tui.shared.processes import pid_alive
from stt_tui.shared.speechkit import AUTO, MAX_INLINE_BYTES, V3, canonical_language, options_problem

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

    def check_options(self, options: RequestOptions, channels: int | None = None) -> RequestOptions:
        """The options as the service spells them; UserError for a language or model it does not know,
        or for what the profile's API cannot do (`channels`: the file's, when known)."""
        api = self.context.profile.api
        problem = options_problem(options.language, options.model, api)
        for code in options.languages:
            problem = problem or (options_problem(code, options.model, api) if code != AUTO else None)
        problem = problem or options_problem_for(api, options, channels)
        if problem:
            raise UserError(problem)
        languages = tuple(canonical_language(code) or code for code in options.languages)
        language = canonical_language(options.language) or options.language
        return dataclasses.replace(options, language=language, languages=languages)

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
        options = self.check_options(options)
        found, verdict = inspect(path)
        if verdict.refused:
            raise UserError(f"{Path(path).name} cannot be sent: {' '.join(verdict.reasons)}")
        self.check_options(options, found.channels)
        profile = self.context.profile
        v3 = profile.api == V3
        inline = False
        if v3 and not profile.local:
            plan = route(found, verdict, upload=profile.upload, has_bucket=profile.has_bucket)
            if plan.problem:
                raise UserError(plan.problem)
            inline, verdict = plan.inline, plan.verdict
        try:
            sha = self.context.content.sha256(Path(path), progress)
        except OSError as exc:
            raise UserError(disk_trouble(exc, "reading the file")) from None
        if not again:
            earlier = self.context.content.jobs(sha)
            known = known_from(earlier, Request.of(profile.name, profile.api, options))
            if known is not None and known.would_repeat:
                raise SameAudio(Path(path), known)
            other = known_from(j for j in earlier if j.profile == profile.name)
            if other is not None and other.seen == Seen.DONE:
                # Not a repeat, but worth a word: the audio has a transcript that answers another request.
                changes = ", ".join(differences(other.job.options, options, (other.job.api, profile.api)))
                self.context.tell(
                    f"{Path(path).name}: job #{other.job.id} has a transcript of this audio made with "
                    f"other options ({changes}); this one is sent as new work."
                )
        for note in verdict.notes:
            self.context.warn(f"{Path(path).name}: {note}")
        wait = self.context.request_wait()
        if wait > 0:
            raise QuotaExceeded(self.context.profile.requests_per_hour, wait)
        with self.context.backend.client():
            pass  # missing credentials or engine trouble: said before any row or upload
        store = None if profile.local or inline else self.context.backend.object_store()
        if store is not None:
            store.check_bucket()
        file_path = str(Path(path).resolve())
        job = self.context.history.add_submitting(
            profile=self.context.profile.name,
            file_path=file_path,
            options=options,
            file_size=found.size,
            file_hash=sha,
            probe=found.to_dict(),
            audio_seconds=found.duration,
            channels=found.channels,
            api=profile.api,
        )
        formats = self.context.profile.auto_export if export is None else export
        with self._failing(job, "preparing"):
            if formats:
                self.context.history.add_delivery(job.id, file_path, formats)
            try:
                payload = prepare(found, verdict, self.context.outbox, progress, sha, keep_wav=v3)
            except PrepareError as exc:
                raise UserError(str(exc)) from None
            if inline and payload.path.stat().st_size > MAX_INLINE_BYTES:
                if not profile.has_bucket:
                    size = payload.path.stat().st_size / 2**20
                    raise UserError(
                        f"{Path(path).name} is {size:.0f} MB once prepared, over the 60 MB a request can "
                        "carry, and the profile has no bucket."
                    )
                inline, store = False, self.context.backend.object_store()
            job = self.context.history.set_prepared(
                job.id,
                file_hash=payload.sha256,
                encoding=payload.encoding.value,
                payload_path=str(payload.path),
            )
        uri = payload.path.as_uri()
        if store is not None:
            with self._failing(job, "uploading"):
                key = object_key(store.settings.prefix, payload.sha256, payload.extension)
                uri = store.upload(payload.path, key, progress)
                job = self.context.history.set_uploaded(job.id, uri)
        file_request: stt_pb2.RecognizeFileRequest | bytes
        with self._failing(job, "sending"):
            if not v3:
                request = build_request(payload, options, uri, profile.folder_id)
            elif inline:
                # Serialized here, the file's bytes and the message let go at once: the audio is held once
                # while it is sent (twice with gRPC's own buffer), not three times.
                file_request = build_file_request(
                    payload, options, content=payload.path.read_bytes()
                ).SerializeToString()
            else:
                file_request = build_file_request(payload, options, uri=uri)
        with self._failing(job, "sending"), self.context.backend.client(submitting=True) as client:
            self.context.history.record_call(self.context.profile.name, "submit")
            job = self.context.history.mark_sending(job.id)
        sent = self.context.clock()
        try:
            with self.context.backend.client(submitting=True) as client:
                op = client.recognize_file(file_request) if v3 else client.recognize(request)
        except ServiceError as exc:
            if exc.code == grpc.StatusCode.CANCELLED:
                raise  # cut off by a quit: the service may have it; recover_interrupted() says so
            self.cleanup.after(self.context.history.set_state(job.id, JobState.FAILED, error=str(exc)))
            raise
        # Anything else (Ctrl-C among them) leaves the row `submitting`: the call may have reached the
        # service, so only recover_interrupted() may call it lost, once this process is gone.
        answered = self.context.clock()
        created = self._measure_skew(op, sent, answered)
        policy = self.context.working_policy(options.model)  # the speed it has been seen to work at
        first = first_check_at(
            created, found.duration, found.channels, options.deferred, policy, self.context.rand
        )
        expected = None if options.deferred else expected_work(found.duration, found.channels, policy)
        job = self.context.history.mark_submitted(job.id, op.id, created, first, expected)
        if store is not None or inline:
            self.cleanup.drop_payload(job)  # the service has the audio; the local copy has done its part
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
            existing = self.context.history.find(operation_id)
        except JobNotFound:
            existing = None
        if existing is not None and existing.operation_id == operation_id:
            return existing
        try:
            state = self.operations.get(operation_id)
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
            created_at=created, next_poll_at=now, api=self.context.profile.api,
        )  # fmt: skip
        self.context.history.record_call(self.context.profile.name, "check", now)
        return self.operations.poller().record(job, state, now)

    def recover_interrupted(self) -> list[Job]:
        """`submitting` rows left by a process that died mid-call: shown as failed, never dropped."""
        recovered = []
        now = self.context.clock()
        for job in self.context.history.submissions():
            if not submission_interrupted(job, now, pid_alive):
                continue
            error = INTERRUPTED if job.sent_at is not None else INTERRUPTED_BEFORE_SENDING
            try:
                failed = self.context.history.set_state(job.id, JobState.FAILED, error=error)
            except JobNotFound:
                continue
            self.cleanup.after(failed)  # its prepared audio, and an object it may have uploaded
            recovered.append(failed)
        return recovered
