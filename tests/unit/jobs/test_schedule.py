"""When a job is checked: a clock set back, the last check before the retention ends."""

from __future__ import annotations

from dataclasses import replace

from stt_tui.jobs.model import RequestOptions
from stt_tui.jobs.schedule import CLOUD_POLICY, before_deadline, is_due, longest_wait
from tests.support.jobs import job


def test_a_clock_set_back_makes_a_job_due_not_an_hour_away():
    now = 100_000.0
    normal = job(next_poll_at=now + 600, audio_seconds=60.0, channels=1)
    assert not is_due(normal, now, CLOUD_POLICY)
    # The clock was set back an hour after the next check was stored at now + 600.
    set_back = replace(normal, next_poll_at=now + 3600 + 600)
    assert longest_wait(normal, CLOUD_POLICY) < 3600 and is_due(set_back, now, CLOUD_POLICY)
    deferred = replace(set_back, options=RequestOptions(model="deferred-general"))
    assert not is_due(deferred, now, CLOUD_POLICY)  # two hours between checks is normal for it


def test_the_last_check_is_before_the_retention_deadline():
    running = job(expires_at=10_000.0)
    assert before_deadline(50_000.0, running, 9_000.0, CLOUD_POLICY) == 10_000.0 - 60
    # Past the deadline: one check shortly after it settles the job as expired.
    assert before_deadline(50_000.0, running, 10_000.0, CLOUD_POLICY) == 10_060.0
    assert before_deadline(9_100.0, running, 9_000.0, CLOUD_POLICY) == 9_100.0
