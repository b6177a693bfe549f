"""The job list's time cell: durations rounded, estimates never zero, the expected time the one stored."""

from __future__ import annotations

from dataclasses import replace

from stt_tui.jobs.model import format_duration
from stt_tui.jobs.schedule import LOCAL_POLICY
from stt_tui.tui import cells
from tests.support.jobs import job


def test_durations_round_and_estimates_are_never_zero():
    assert format_duration(1.88) == "2s"  # not truncated to 1s
    assert format_duration(59.6) == "1m00s"
    assert format_duration(0.15, up=True) == "1s"  # an estimate: never ~0s
    short = job(audio_seconds=1.5, channels=1, created_at=0.0)
    assert "~0s" not in cells.time_cell(short, 7.0, LOCAL_POLICY).plain


def test_a_jobs_expected_time_is_the_one_stored_at_submit():
    cloud_job = job(audio_seconds=600.0, channels=1, expected_seconds=200.0, created_at=0.0)
    # The local profile would say 100 s; the job was sent elsewhere and stored its own figure.
    assert cells.time_cell(cloud_job, 30.0, LOCAL_POLICY).plain == "30s/~3m20s"
    older = replace(cloud_job, expected_seconds=None)
    assert cells.time_cell(older, 30.0, LOCAL_POLICY).plain == "30s/~1m40s"
