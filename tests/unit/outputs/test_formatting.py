"""How a job reads in lists and JSON: one wording for no transcript, a cancelled job never saved."""

from __future__ import annotations

from stt_tui.jobs.model import JobState
from stt_tui.outputs.formatting import job_to_dict, no_transcript
from stt_tui.tui import cells
from tests.support.jobs import job


def test_one_wording_for_a_job_without_a_transcript():
    failed = job(state=JobState.FAILED, last_error="Invalid audio received.")
    assert no_transcript(failed) == "Job #1 has no transcript: it is failed: Invalid audio received."


def test_a_cancelled_job_with_its_stored_operation_is_not_saved():
    cancelled = job(state=JobState.CANCELLED, has_result=True, expires_at=10_000.0)
    assert not cancelled.has_transcript
    assert cells.retention_cell(cancelled, 2000.0).plain == "-"
    assert job_to_dict(cancelled, 2000.0)["result_saved"] is False
    done = job(state=JobState.DONE, has_result=True)
    assert done.has_transcript and cells.retention_cell(done, 2000.0).plain == "✓ saved"
