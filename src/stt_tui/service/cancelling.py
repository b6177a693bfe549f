"""Cancelling a running job: the service is asked to stop it (it may finish anyway) and its answer is
recorded like any status check's."""

from __future__ import annotations

import dataclasses

from stt_tui.history import JobNotFound
from stt_tui.jobs.model import Job, JobState
from stt_tui.service.context import Context
from stt_tui.service.errors import UserError
from stt_tui.service.polling import Poller
from stt_tui.shared.speechkit import V3


def cancel(context: Context, poller: Poller, job: Job) -> Job:
    """Ask the service to stop a running job; the job as the answer leaves it."""
    if job.state != JobState.RUNNING:
        raise UserError(f"Job #{job.id} is {job.state.value}; only a running job can be cancelled.")
    context.require_own(job)
    with context.backend.client() as client:
        state = client.cancel_operation(job.operation_id or "", job.api)
        if job.api == V3 and state.succeeded:  # it finished before the cancel arrived
            state = dataclasses.replace(state, recognition=client.get_recognition(state.id))
    try:
        return poller.record(job, state, context.clock())
    except JobNotFound:
        raise UserError(f"Job #{job.id} was forgotten meanwhile.") from None
