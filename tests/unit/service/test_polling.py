"""The polling schedule: pure decisions, the driver over a real history, and a simulated busy hour."""

from __future__ import annotations

import random
from dataclasses import replace

import grpc
import pytest
from bench.poll_sim import Clock, busiest_hour, simulate

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api import ServiceError, decode_operation
from stt_tui.history import History, JobNotFound
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.jobs.schedule import (
    CLOUD_POLICY,
    EXPIRED_MESSAGE,
    HOUR,
    LOCAL_POLICY,
    budget_wait,
    error_outcome,
    exhausted_pause,
    expected_work,
    first_check_at,
    next_check_at,
    retry_after_error,
)
from stt_tui.service.polling import Poller
from stt_tui.shared.paths import resolve_paths
from tests.support.transcripts import operation_json

P = CLOUD_POLICY
NO_JITTER = replace(CLOUD_POLICY, jitter=0.0)


def test_first_check_is_near_the_expected_finish():
    rand = random.Random(0)
    # 6 minutes of stereo: 6 * 2 * 10 s of work expected.
    assert expected_work(360, 2, P) == 120
    at = first_check_at(1000.0, 360, 2, False, NO_JITTER, rand)
    assert at == pytest.approx(1000 + 120 * P.first_check_factor)
    jittered = [first_check_at(0.0, 360, 2, False, P, rand) for _ in range(200)]
    assert min(jittered) >= 120 * P.first_check_factor * (1 - P.jitter)
    assert max(jittered) <= 120 * P.first_check_factor * (1 + P.jitter)
    assert len(set(jittered)) > 100  # jitter spreads jobs submitted together


def test_short_unknown_and_deferred_jobs():
    rand = random.Random(0)
    assert first_check_at(0.0, 1.0, 1, False, NO_JITTER, rand) == P.min_first_check
    assert first_check_at(0.0, None, None, False, NO_JITTER, rand) == pytest.approx(60 / 60 * 10 * 1.15)
    assert first_check_at(0.0, 60, 1, True, NO_JITTER, rand) == P.deferred_first_check


def test_backoff_grows_with_the_time_waited_and_is_capped():
    rand = random.Random(0)
    gaps = [next_check_at(0.0, t, False, NO_JITTER, rand) - t for t in (5, 100, 1000, 100_000)]
    assert gaps == [P.min_interval, 30.0, 300.0, P.max_interval]
    assert next_check_at(0.0, 100_000, True, NO_JITTER, rand) - 100_000 == P.deferred_max_interval


def test_error_retries_back_off_exponentially():
    rand = random.Random(0)
    delays = [retry_after_error(n, 0.0, NO_JITTER, rand) for n in range(8)]
    assert delays[:3] == [30, 60, 120]
    assert delays[-1] == P.max_error_retry
    assert delays == sorted(delays)


def test_budget_wait_counts_a_sliding_hour():
    # The argument is the budget-th latest call of the last hour: None when fewer were made.
    now = 10_000.0
    assert budget_wait(None, now) == 0
    assert budget_wait(now - 3000, now) == pytest.approx(600)
    assert budget_wait(now - HOUR, now) == 0  # it just left the hour


def test_exhausted_pause_doubles_up_to_an_hour():
    assert [exhausted_pause(n) for n in range(8)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def _job(history: History, now: float, created: float):
    job = history.add_submitting(profile="cloud", file_path="a.wav", options=RequestOptions())
    return history.mark_submitted(job.id, f"op{job.id:018d}", created, now)


def test_error_outcomes(tmp_path):
    history = History(tmp_path / "h.sqlite3", clock=lambda: 0.0)
    job = _job(history, 0.0, created=0.0)
    fresh, late = 100.0, job.expires_at + 1
    assert error_outcome(job, fresh, grpc.StatusCode.NOT_FOUND, "Operation x not found.") == (
        JobState.FAILED,
        "Operation x not found.",
    )
    assert error_outcome(job, late, grpc.StatusCode.NOT_FOUND, "gone") == (JobState.EXPIRED, EXPIRED_MESSAGE)
    assert error_outcome(job, late, grpc.StatusCode.INTERNAL, "boom") == (JobState.EXPIRED, EXPIRED_MESSAGE)
    # A wrong key or a dead server says nothing about the job: retried, never given up.
    for code in (
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAVAILABLE,
    ):
        assert error_outcome(job, fresh, code, "x") is None
    assert error_outcome(job, late, grpc.StatusCode.UNAVAILABLE, "x") is None


class Service:
    """A scripted stand-in for the cloud's OperationService.Get: real Operation messages, decoded."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.finish_at: dict[str, float] = {}
        self.fail_with: grpc.StatusCode | None = None
        self.calls = 0

    def check(self, job):
        return self.get(job.operation_id, job.api)  # read as the API the job says it was started with

    def get(self, op_id: str, api: str = "v2"):  # the operations it knows are v2 ones
        self.calls += 1
        if self.fail_with is not None:
            raise ServiceError(self.fail_with, f"Simulated {self.fail_with.name}.")
        op = operation_pb2.Operation(id=op_id, done=self.clock.now >= self.finish_at[op_id])
        if op.done:
            response = stt.LongRunningRecognitionResponse()
            chunk = response.chunks.add(channel_tag=1)
            chunk.alternatives.add(text=f"text of {op_id}")
            op.response.Pack(response)
        return decode_operation(op, api)


@pytest.fixture
def rig(tmp_path):
    clock = Clock()
    history = History(tmp_path / "h.sqlite3", clock=clock)
    service = Service(clock)
    finished = []  # type: ignore[var-annotated]
    poller = Poller(
        history, "cloud", service.check, P, clock=clock, rand=random.Random(1), on_finished=finished.append
    )
    yield clock, history, service, poller, finished
    history.close()


def test_a_job_is_checked_when_due_and_its_result_stored(rig):
    clock, history, service, poller, finished = rig
    job = _job(history, clock.now + 10, created=clock.now)
    service.finish_at[job.operation_id] = clock.now + 15
    assert poller.poll_due() == [] and service.calls == 0  # not due yet
    assert poller.next_wakeup() == pytest.approx(10)
    clock.now += 10
    (checked,) = poller.poll_due()
    assert checked.state == JobState.RUNNING and checked.polls == 1
    assert checked.next_poll_at == pytest.approx(clock.now + P.min_interval, rel=0.2)
    clock.now = checked.next_poll_at + 5
    (checked,) = poller.poll_due()
    assert checked.state == JobState.DONE and checked.has_result
    assert finished == [checked]
    assert '"text of ' in history.result(job.id).document()
    assert poller.next_wakeup() is None


def test_the_schedule_survives_a_restart(rig, tmp_path):
    clock, history, service, poller, _ = rig
    jobs = [_job(history, clock.now + 600 + i, created=clock.now) for i in range(20)]
    for job in jobs:
        service.finish_at[job.operation_id] = clock.now + 10_000
    # A new process over the same file: nothing is due, so nothing is asked.
    again = Poller(History(tmp_path / "h.sqlite3", clock=clock), "cloud", service.check, P, clock=clock)
    assert again.poll_due() == [] and service.calls == 0
    assert again.next_wakeup() == pytest.approx(600)


def test_resource_exhausted_pauses_everything_then_resumes(rig):
    clock, history, service, poller, _ = rig
    jobs = [_job(history, clock.now, created=clock.now) for _ in range(5)]
    for job in jobs:
        service.finish_at[job.operation_id] = clock.now
    service.fail_with = grpc.StatusCode.RESOURCE_EXHAUSTED
    updated = poller.poll_due()
    assert len(updated) == 1 and service.calls == 1  # stops at the first refusal
    assert poller.paused_for() == pytest.approx(60)
    assert poller.poll_due() == [] and service.calls == 1
    clock.now += 61
    poller.poll_due()
    assert service.calls == 2 and poller.paused_for() == pytest.approx(120)  # second strike: longer
    service.fail_with = None
    clock.now += 121
    done = poller.poll_due()
    assert [j.state for j in done] == [JobState.DONE] * 5
    assert history.pause("cloud") == (0.0, 0)
    assert all(history.result(j.id) for j in jobs)


def test_a_dead_server_stops_the_round_and_retries_later(rig):
    clock, history, service, poller, _ = rig
    for _ in range(5):
        job = _job(history, clock.now, created=clock.now)
        service.finish_at[job.operation_id] = clock.now
    service.fail_with = grpc.StatusCode.UNAVAILABLE
    (job,) = poller.poll_due()
    assert service.calls == 1 and job.state == JobState.RUNNING and job.errors == 1
    assert job.last_error == "Simulated UNAVAILABLE."
    assert job.next_poll_at - clock.now == pytest.approx(P.error_retry, rel=0.11)


def test_not_found_fails_or_expires_the_job(rig):
    clock, history, service, poller, finished = rig
    young = _job(history, clock.now, created=clock.now)
    old = _job(history, clock.now, created=clock.now - 73 * HOUR)
    service.fail_with = grpc.StatusCode.NOT_FOUND
    poller.poll_one(young)
    poller.poll_one(old)
    assert history.get(young.id).state == JobState.FAILED
    assert history.get(old.id).state == JobState.EXPIRED
    assert history.get(old.id).last_error == EXPIRED_MESSAGE
    assert {j.id for j in finished} == {young.id, old.id}


def test_the_budget_is_shared_through_the_history(rig, tmp_path):
    clock, history, service, _, _ = rig
    tight = replace(P, budget_per_hour=3)
    for _ in range(5):
        job = _job(history, clock.now, created=clock.now)
        service.finish_at[job.operation_id] = clock.now + 10_000
    # Two processes polling the same history draw on one budget.
    one = Poller(history, "cloud", service.check, tight, clock=clock)
    two = Poller(History(tmp_path / "h.sqlite3", clock=clock), "cloud", service.check, tight, clock=clock)
    assert len(one.poll_due()) == 3
    assert two.poll_due() == [] and service.calls == 3
    assert two.wait_for_budget() == pytest.approx(HOUR)


def test_busiest_hour():
    assert busiest_hour([]) == 0
    assert busiest_hour([0, 10, HOUR - 1, HOUR, 2 * HOUR]) == 3


def test_a_simulated_hour_of_500_jobs_stays_in_budget(tmp_path):
    figures = simulate(tmp_path / "sim.sqlite3", jobs=500, seed=7)
    assert figures.jobs == 500
    assert figures.busiest_hour <= 2500
    assert figures.checks_per_job < 3
    # Most jobs are noticed within a fraction of their own processing time.
    assert figures.late_share_median < 0.5


def test_a_tight_budget_is_never_exceeded(tmp_path):
    figures = simulate(tmp_path / "sim.sqlite3", jobs=500, seed=3, policy=replace(P, budget_per_hour=250))
    assert figures.jobs == 500  # everything still finishes, later
    assert figures.busiest_hour <= 250


def test_a_job_forgotten_while_it_is_being_checked_is_simply_not_polled(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    j = history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    j = history.mark_submitted(j.id, "op" + "0" * 18, 1000.0, 1000.0)

    def get(job):
        history.forget(j.id)  # another process forgets it while the call is in flight
        from stt_tui._proto.yandex.cloud.operation import operation_pb2
        from stt_tui.api import decode_operation

        return decode_operation(operation_pb2.Operation(id=job.operation_id, done=False))

    poller = Poller(history, "local", get, LOCAL_POLICY, clock=lambda: 2000.0, rand=random.Random(0))
    assert poller.poll_due() == []
    with pytest.raises(JobNotFound):
        history.schedule(j.id, 3000.0)
    with pytest.raises(JobNotFound):
        history.store_result(j.id, operation_json())


def test_a_poll_round_reports_changes_and_a_status_only_when_it_moves(tmp_path):
    from stt_tui.history.feed import JobFeed
    from stt_tui.service.facade import Service
    from stt_tui.service.poll_round import PollRound
    from stt_tui.settings.config import builtin_profiles

    paths = resolve_paths(tmp_path / "home")
    history = History(paths.history)
    service = Service(paths, builtin_profiles()["local"], history)
    feed = JobFeed(history)
    feed.load()
    rounds = PollRound(service, feed, monotonic=lambda: 100.0)  # the clock stands still
    first = rounds.run()
    assert first.status is not None and first.status.engine == "engine off, starts on demand"
    assert not first.changes
    asked: list[bool] = []
    service.engine_running = lambda: asked.append(True) or False  # type: ignore[func-returns-value, method-assign]
    assert rounds.run().status is None and asked == []  # nothing moved: not asked again within 5 s
    history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    second = rounds.run()
    assert second.status is None and len(second.changes.changed) == 1  # the status did not move
    assert asked == [True]  # a job moved, so whether the engine runs was asked at once
    disconnected = []
    service.disconnect = lambda: disconnected.append(True)  # type: ignore[method-assign]
    other = Service(paths, replace(builtin_profiles()["local"], name="other"), history)
    rounds.switch(other)
    third = rounds.run()
    assert disconnected == [True] and rounds.service is other and third.status is not None


def test_v3_checks_keep_to_five_a_second(tmp_path):
    now = [1000.0]
    history = History(tmp_path / "h.sqlite3", clock=lambda: now[0])
    for n in range(7):
        job = history.add_submitting(
            profile="local", file_path=f"/{n}.wav", options=RequestOptions(), api="v3"
        )
        history.mark_submitted(job.id, f"op{n:018d}", 900.0, 900.0)
    asked: list[str] = []

    def check(job):
        asked.append(job.operation_id)
        return decode_operation(operation_pb2.Operation(id=job.operation_id, done=False), "v3")

    poller = Poller(history, "local", check, LOCAL_POLICY, clock=lambda: now[0], rand=random.Random(0))
    poller.poll_due()
    assert len(asked) == 5  # the other two wait for the next second
    assert 0 < poller.v3_wait() <= 1.0
    now[0] += 1.01
    poller.poll_due()
    second = asked[5:]
    # Five again, the two that waited among them (the first five were due again by then).
    assert len(second) == 5 and {f"op{5:018d}", f"op{6:018d}"} <= set(second)


def test_an_operation_imported_under_the_other_api_is_read_as_the_api_it_says(rig):
    """Imported while it ran, under the profile's v3, a v2 operation ended as a failed job whose error
    named the right API; its result was there all along."""
    clock, history, service, poller, finished = rig
    job = history.import_operation(
        profile="cloud", operation_id="e03" + "v" * 17, options=RequestOptions(), created_at=clock.now,
        next_poll_at=clock.now, api="v3",
    )  # fmt: skip
    service.finish_at[job.operation_id] = clock.now
    (checked,) = poller.poll_due()
    assert (checked.state, checked.api, checked.has_result) == (JobState.DONE, "v2", True)
    assert finished == [checked] and service.calls == 2  # asked once more, as v2
