"""The jobs the app follows (tui/open_jobs.py): an ending is announced once and only for a job followed,
the running count follows the changes, an expiring result is warned about once."""

from __future__ import annotations

from stt_tui.history.feed import Changes
from stt_tui.jobs.model import RETENTION_SECONDS, Job, JobState
from stt_tui.tui.open_jobs import OpenJobs

NOW = 1_800_000_000.0


def job(id: int, state: JobState = JobState.RUNNING, created: float = NOW - 60) -> Job:
    expires = created + RETENTION_SECONDS
    return Job(id=id, profile="local", state=state, created_at=created, expires_at=expires, file_path="/a")


def test_an_ending_is_announced_once_and_only_for_a_job_followed():
    jobs = OpenJobs()
    jobs.load([job(1), job(2, JobState.SUBMITTING)])
    assert len(jobs) == 2 and 1 in jobs and jobs.running() == 1
    ended = jobs.apply(Changes(changed=[job(1, JobState.DONE), job(3, JobState.FAILED), job(2)]))
    assert [j.id for j in ended] == [1]  # #3 was never followed here: another process's, long done
    assert 1 not in jobs and jobs.running() == 1  # #2 now runs
    assert jobs.apply(Changes(changed=[job(1, JobState.DONE)])) == []  # told once
    assert jobs.apply(Changes(removed={2})) == [] and len(jobs) == 0


def test_an_expiring_result_is_warned_about_once():
    jobs = OpenJobs()
    jobs.load([job(1, created=NOW - 61 * 3600), job(2)])
    assert [j.id for j in jobs.newly_expiring(NOW)] == [1]
    assert jobs.newly_expiring(NOW + 60) == []
