"""Jobs made up for a test: a running job of the local profile unless told otherwise."""

from __future__ import annotations

from stt_tui.jobs.model import Job, JobState


def job(**kw) -> Job:
    base = dict(id=1, profile="local", state=JobState.RUNNING, file_path="/a/talk.wav", created_at=1000.0)
    return Job(**{**base, **kw})
