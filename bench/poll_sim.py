"""A simulated hour of the cloud: 500 jobs of mixed lengths, polled by the real Poller over a real history.

Only the service is simulated (it finishes each job after a random share of the stated ≈10 s of work per
minute of audio per channel; deferred jobs within 24 h); the schedule, the budget and the history are the
real ones, on a simulated clock. Prints the status checks used (in total and in the busiest sliding hour),
the checks per job, and how late completion is noticed.

    python bench/poll_sim.py [--jobs 500] [--seed 1] [--budget 2500]
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import random
import statistics
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api import OperationState, decode_operation
from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.jobs.schedule import CLOUD_POLICY, HOUR, PollPolicy, expected_work, first_check_at
from stt_tui.service.polling import Poller


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class SimulatedService:
    """Answers Get from a table of finish times; counts what it is asked."""

    clock: Clock
    finish_at: dict[str, float] = field(default_factory=dict)
    calls: list[float] = field(default_factory=list)

    def get(self, operation_id: str) -> OperationState:
        self.calls.append(self.clock.now)
        op = operation_pb2.Operation(id=operation_id, done=self.clock.now >= self.finish_at[operation_id])
        if op.done:
            op.response.Pack(stt.LongRunningRecognitionResponse())
        return decode_operation(op)


@dataclass(frozen=True)
class Figures:
    jobs: int
    deferred: int
    checks: int
    busiest_hour: int
    checks_per_job: float
    max_checks_per_job: int
    late_median: float  # seconds between finishing and being noticed, standard jobs
    late_p90: float
    late_max: float
    late_share_median: float  # lateness as a share of the job's own processing time
    deferred_late_median: float
    sim_hours: float


def _mix(rand: random.Random) -> tuple[float, int, bool]:
    """(audio seconds, channels, deferred) drawn from a plausible mix of work."""
    r = rand.random()
    if r < 0.35:
        seconds = rand.uniform(10, 120)  # voice notes
    elif r < 0.85:
        seconds = rand.uniform(120, 1200)  # calls, interviews
    else:
        seconds = rand.uniform(1200, 7200)  # meetings, lectures
    channels = 2 if rand.random() < 0.3 else 1
    return seconds, channels, rand.random() < 0.05


def busiest_hour(times: list[float]) -> int:
    """Most calls in any sliding hour."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + HOUR) - i for i, t in enumerate(times)), default=0)


def simulate(
    history_path: Path, *, jobs: int = 500, seed: int = 1, policy: PollPolicy = CLOUD_POLICY
) -> Figures:
    rand = random.Random(seed)
    clock = Clock()
    start = clock.now
    history = History(history_path, clock=clock)
    service = SimulatedService(clock)
    noticed: dict[int, float] = {}
    poller = Poller(
        history,
        "cloud",
        lambda job: service.get(job.operation_id or ""),
        policy,
        clock=clock,
        rand=random.Random(seed + 1),
        on_finished=lambda job: noticed.setdefault(job.id, clock.now),
    )
    arrivals = sorted(start + rand.uniform(0, HOUR) for _ in range(jobs))
    work: dict[int, tuple[float, bool]] = {}  # job id -> (processing seconds, deferred)
    finish: dict[int, float] = {}
    pending = list(arrivals)
    heapq.heapify(pending)
    while pending or history.pollable("cloud"):
        wake = poller.next_wakeup()
        next_poll = clock.now + wake if wake is not None else float("inf")
        next_arrival = pending[0] if pending else float("inf")
        clock.now = max(clock.now, min(next_poll, next_arrival))
        while pending and pending[0] <= clock.now:
            heapq.heappop(pending)
            seconds, channels, deferred = _mix(rand)
            options = RequestOptions(model="deferred-general" if deferred else "general")
            job = history.add_submitting(
                profile="cloud",
                file_path="sim.wav",
                options=options,
                audio_seconds=seconds,
                channels=channels,
            )
            if deferred:
                processing = rand.uniform(HOUR, 24 * HOUR)
            else:
                processing = expected_work(seconds, channels, policy) * rand.lognormvariate(0, 0.35)
            op_id = f"sim{job.id:017d}"
            service.finish_at[op_id] = clock.now + processing
            finish[job.id] = clock.now + processing
            work[job.id] = (processing, deferred)
            first = first_check_at(clock.now, seconds, channels, deferred, policy, poller._rand)
            history.mark_submitted(job.id, op_id, clock.now, first)
        poller.poll_due()
    all_jobs = history.jobs("cloud")
    history.close()
    assert all(j.state == JobState.DONE for j in all_jobs)
    standard = [j for j in all_jobs if not work[j.id][1]]
    deferred_jobs = [j for j in all_jobs if work[j.id][1]]
    late = sorted(noticed[j.id] - finish[j.id] for j in standard)
    share = [(noticed[j.id] - finish[j.id]) / work[j.id][0] for j in standard]
    return Figures(
        jobs=len(all_jobs),
        deferred=len(deferred_jobs),
        checks=len(service.calls),
        busiest_hour=busiest_hour(service.calls),
        checks_per_job=len(service.calls) / len(all_jobs),
        max_checks_per_job=max(j.polls for j in all_jobs),
        late_median=statistics.median(late),
        late_p90=late[int(0.9 * (len(late) - 1))],
        late_max=late[-1],
        late_share_median=statistics.median(share),
        deferred_late_median=statistics.median(noticed[j.id] - finish[j.id] for j in deferred_jobs)
        if deferred_jobs
        else 0.0,
        sim_hours=(clock.now - start) / HOUR,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=CLOUD_POLICY.budget_per_hour)
    args = parser.parse_args()
    policy = replace(CLOUD_POLICY, budget_per_hour=args.budget)
    with tempfile.TemporaryDirectory() as tmp:
        f = simulate(Path(tmp) / "history.sqlite3", jobs=args.jobs, seed=args.seed, policy=policy)
    print(f"jobs                      {f.jobs} ({f.deferred} deferred), arriving over one hour")
    print(f"status checks             {f.checks} in all; busiest sliding hour {f.busiest_hour}", end="")
    print(f" (budget {args.budget})")
    print(f"checks per job            {f.checks_per_job:.2f} on average, {f.max_checks_per_job} at most")
    print(
        f"completion noticed late   median {f.late_median:.0f} s, p90 {f.late_p90:.0f} s, "
        f"max {f.late_max:.0f} s (median {f.late_share_median:.0%} of the job's own processing time)"
    )
    print(f"deferred noticed late     median {f.deferred_late_median / 60:.0f} min")
    print(f"simulated time            {f.sim_hours:.1f} h until the last job was stored")


if __name__ == "__main__":
    main()
