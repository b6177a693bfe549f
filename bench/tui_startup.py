"""How fast the TUI comes up over a big history, and what one poll-driven refresh costs.

Fills a fresh history with 10,000 jobs (mostly done with stored results, some failed, some running),
then runs the real app headless and reports: time to the first frame, time until the job list holds
every row, the cost of one refresh (reading what changed, updating the row in place), and the once-a-
second countdown tick. With tmux on the machine it also times the installed binary in a real 80×24
terminal, from launch to the populated job list.

    python bench/tui_startup.py [--jobs 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.operations import operation_to_json
from stt_tui.config import load_profile
from stt_tui.feed import JobFeed
from stt_tui.history import History
from stt_tui.jobs import JobState, RequestOptions
from stt_tui.paths import resolve_paths
from stt_tui.tui.app import SttApp


def small_result(n: int) -> str:
    response = stt.LongRunningRecognitionResponse()
    chunk = response.chunks.add(channel_tag=1)
    alt = chunk.alternatives.add(text=f"phrase number {n}", confidence=0.9)
    for i, word in enumerate(("phrase", "number", str(n))):
        w = alt.words.add(word=word, confidence=0.9)
        w.start_time.FromNanoseconds(i * 400_000_000)
        w.end_time.FromNanoseconds(i * 400_000_000 + 300_000_000)
    op = operation_pb2.Operation(id=f"e03{n:017d}", done=True)
    op.response.Pack(response)
    return operation_to_json(op)


def fill(home: Path, count: int) -> None:
    history = History(home / "history.sqlite3")
    now = time.time()
    for n in range(count):
        created = now - (count - n) * 30
        job = history.add_submitting(
            profile="local",
            file_path=f"/recordings/2026/meeting-{n:05d}.wav",
            options=RequestOptions(),
            audio_seconds=60.0 + n % 3600,
            channels=1 + n % 2,
        )
        if n % 20 == 0:
            history.set_state(job.id, JobState.FAILED, error="Invalid audio received.")
            continue
        job = history.mark_submitted(job.id, f"e03{n:017d}", created, now + 86400)  # not due in the bench
        if n % 20 != 1:
            history.store_result(job.id, small_result(n))
    history.close()


class TimedApp(SttApp):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.started = time.perf_counter()
        self.first_frame: float | None = None

    def on_ready(self) -> None:
        # Textual calls SttApp.on_ready too (handlers run for every class in the MRO): calling it here
        # as well loaded the history twice and made the figures wrong.
        self.first_frame = time.perf_counter() - self.started


async def measure(home: Path, count: int, folder: Path) -> dict[str, float]:
    app = TimedApp(resolve_paths(home), load_profile(None), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.main.jobs.row_count < count:
            await pilot.pause(0.01)
        populated = time.perf_counter() - app.started
        table = app.main.jobs
        other = History(home / "history.sqlite3")
        feed = JobFeed(other)
        feed.load()
        reads, applies, ticks = [], [], []
        for i in range(20):
            job_id = 2 + i * 20  # running jobs: their rows tick too
            other.set_state(job_id, JobState.CANCELLED if i % 2 else JobState.RUNNING)
            t = time.perf_counter()
            changes = feed.changes()
            reads.append(time.perf_counter() - t)
            t = time.perf_counter()
            table.apply(changes.changed, changes.removed)
            applies.append(time.perf_counter() - t)
            t = time.perf_counter()
            table.tick()
            ticks.append(time.perf_counter() - t)
        other.close()
        await pilot.press("q")
    return {
        "first_frame": app.first_frame,
        "populated": populated,
        "refresh_read_ms": statistics.median(reads) * 1000,
        "refresh_apply_ms": statistics.median(applies) * 1000,
        "tick_ms": statistics.median(ticks) * 1000,
    }


def tmux_populated(home: Path, count: int, folder: Path) -> float | None:
    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    binary = str(Path(sys.executable).parent / "stt-tui")
    base = [tmux, "-L", f"stt-bench-{os.getpid()}"]
    started = time.perf_counter()
    subprocess.run(
        [
            *base,
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            "80",
            "-y",
            "24",
            f"STT_TUI_HOME={home} {binary} {folder}",
        ],
        check=True,
    )
    try:
        while time.perf_counter() - started < 60:
            screen = subprocess.run(
                [*base, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
            ).stdout
            if f"Jobs ({count:,})" in screen:
                return time.perf_counter() - started
            time.sleep(0.02)
        return None
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sttbench"))
    try:
        home, folder = root / "home", root / "files"
        folder.mkdir()
        t = time.perf_counter()
        fill(home, args.jobs)
        print(f"history: {args.jobs:,} jobs written in {time.perf_counter() - t:.1f} s")
        runs = [asyncio.run(measure(home, args.jobs, folder)) for _ in range(args.runs)]
        for key, label, unit in (
            ("first_frame", "first frame", "s"),
            ("populated", f"job list holds all {args.jobs:,} rows", "s"),
            ("refresh_read_ms", "one refresh: read what changed", "ms"),
            ("refresh_apply_ms", "one refresh: update the row in place", "ms"),
            ("tick_ms", "countdown tick (running rows)", "ms"),
        ):
            values = [r[key] for r in runs]
            print(
                f"{label:45s} median {statistics.median(values):7.3f} {unit}  (runs: "
                + ", ".join(f"{v:.3f}" for v in values)
                + ")"
            )
        real = tmux_populated(home, args.jobs, folder)
        if real is not None:
            print(f"{'installed binary in tmux, launch to full list':45s} {real:7.3f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
