"""Asking the service about operations: one status check (with a v3 result stream read at once), the
poller over a profile's jobs, and what happens when one ends (tidied up, delivered beside the audio, the
v3 result deleted at the service once stored here)."""

from __future__ import annotations

import dataclasses

import grpc

from stt_tui.api import OperationState, ServiceError
from stt_tui.jobs.model import Job
from stt_tui.outputs.beside import Deliverer
from stt_tui.service.cleanup import Cleanup
from stt_tui.service.context import Context
from stt_tui.service.polling import Poller
from stt_tui.service.voices import Voices
from stt_tui.settings.config import ConfigError
from stt_tui.shared.speechkit import V3
from stt_tui.shared.wording import clause


class Operations:
    def __init__(
        self, context: Context, cleanup: Cleanup, deliverer: Deliverer, voices: Voices | None = None
    ) -> None:
        self.context = context
        self.cleanup = cleanup
        self.deliverer = deliverer
        self.voices = voices
        self._recognition_deletes_refused = False  # DeleteRecognition said no once: do not ask for every job

    def get(self, operation_id: str, api: str | None = None) -> OperationState:
        """Ask about an operation of `api` (the profile's by default); a v3 one that is done comes with
        its result stream, read at once (the poller stores both together)."""
        ctx = self.context
        api = api or ctx.profile.api
        try:
            with ctx.backend.client() as client:
                state = client.get_operation(operation_id, api)
                if api == V3 and state.succeeded:
                    # Counted with the v3 checks: the per-second quota is the safe reading for it too.
                    ctx.history.record_call(ctx.profile.name, "check_v3", ctx.clock())
                    state = dataclasses.replace(state, recognition=client.get_recognition(operation_id))
                return state
        except ConfigError as exc:
            # Missing or unreadable credentials: the poller records it on the job and retries later,
            # so fixing the config is enough to carry on.
            raise ServiceError(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None

    def status(self, job: Job) -> OperationState:
        """One status check of a job's operation, with the API it was started with."""
        return self.get(job.operation_id or "", job.api)

    def poller(self) -> Poller:
        ctx = self.context
        return Poller(
            ctx.history,
            ctx.profile.name,
            self.status,
            ctx.profile.poll_policy,
            clock=ctx.clock,
            rand=ctx.rand,
            on_finished=self.finished,
        )

    def finished(self, job: Job) -> None:
        """A job came to its end (noticed by this process): tidy up, write its transcripts beside the
        audio where that was asked for (with the speakers recognized by voice named), and have the service
        forget a v3 result now stored here."""
        self.cleanup.after(job)
        if self.voices is not None:
            self.voices.recognize(job)
        self.deliverer.deliver(job)
        self.delete_recognition(job)

    def delete_recognition(self, job: Job) -> None:
        """DeleteRecognition of a v3 job whose result is stored here; trouble is a warning, nothing more."""
        ctx = self.context
        operation_id = job.operation_id
        if not (operation_id and job.api == V3 and job.has_transcript and ctx.profile.delete_after_result):
            return
        if job.profile != ctx.profile.name or self._recognition_deletes_refused:
            return
        try:
            with ctx.backend.client() as client:
                client.delete_recognition(operation_id)
        except (ServiceError, ConfigError) as exc:
            code = exc.code if isinstance(exc, ServiceError) else None
            if code == grpc.StatusCode.NOT_FOUND:
                return  # already gone: what was asked for
            if code == grpc.StatusCode.PERMISSION_DENIED:
                self._recognition_deletes_refused = True  # every later job would be refused the same way
            ctx.warn(
                f"Job #{job.id}: the service keeps its result (for 3 days): {clause(str(exc))}. The "
                "transcript is stored here; delete_after_result = false stops asking."
            )
