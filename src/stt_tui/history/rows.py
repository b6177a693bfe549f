"""A job's row as the history stores it, and as the core sees it."""

from __future__ import annotations

import json

from stt_tui.history.database import Row
from stt_tui.jobs.model import Job, JobState, RequestOptions
from stt_tui.shared.names import real

JOB_COLUMNS = (
    "id, profile, state, operation_id, file_path, file_size, file_hash, probe, options, encoding, "
    "audio_seconds, channels, payload_path, created_at, done_at, expires_at, next_poll_at, polls, "
    "last_error, errors, submitter_pid, object_uri, "
    "EXISTS (SELECT 1 FROM results r WHERE r.job_id = jobs.id), sent_at, expected_seconds, api, "
    "detected_language"
)


def job_from_row(r: Row) -> Job:
    return Job(
        id=r[0],
        profile=r[1],
        state=JobState(r[2]),
        operation_id=r[3],
        file_path=real(r[4]) if r[4] else r[4],
        file_size=r[5],
        file_hash=r[6],
        probe=json.loads(r[7]) if r[7] else None,
        options=RequestOptions.from_dict(json.loads(r[8])),
        encoding=r[9],
        audio_seconds=r[10],
        channels=r[11],
        payload_path=r[12],
        created_at=r[13],
        done_at=r[14],
        expires_at=r[15],
        next_poll_at=r[16],
        polls=r[17],
        last_error=r[18],
        errors=r[19],
        submitter_pid=r[20],
        object_uri=r[21],
        has_result=bool(r[22]),
        sent_at=r[23],
        expected_seconds=r[24],
        api=r[25],
        detected_language=r[26],
    )
