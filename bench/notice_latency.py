"""How soon a finished result reaches the user: `stt-tui submit --wait` against the engine's own time.

On a running engine (started and warmed up first), a 4 s and a 100 s clip are each submitted with
`--wait` four times (the content made unique each time, so nothing is linked to an earlier job); the
wall time of the command (Python's start, probing, hashing and preparing included) is set against the
time the engine logged for recognizing it (goal: a ratio of at most 1.2), and the moment the command
ended against the moment the engine logged the job done (goal: under a second).

    python bench/notice_latency.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.audio_helpers import another_recording, clip  # noqa: E402
from tests.support.homes import STT_TUI, stop_engine  # noqa: E402

CLIPS = {"4 s": "ds_arctic_a0024.wav", "100 s": "vosk_lucier.wav"}
RUNS = 4


def engine_done(log: Path, operation_id: str) -> tuple[float, float]:
    """(seconds the engine took, when it finished, as a Unix time) from its log line for the operation."""
    pattern = rf"^(\S+ \S+) INFO \S+: operation {operation_id} done: recognized in ([\d.]+) s$"
    match = re.search(pattern, log.read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit(f"the engine logged no time for {operation_id}")
    finished = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return float(match.group(2)), finished


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="sttlat"))
    home = work / "home"
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    try:
        warm = another_recording(clip("ps_cards_001.wav").path, work / "warm.wav", 0)
        subprocess.run([STT_TUI, "submit", str(warm), "--wait"], env=env, check=True, capture_output=True)
        for label, name in CLIPS.items():
            ratios = []
            for n in range(1, RUNS + 1):
                audio = another_recording(clip(name).path, work / f"{n}-{name}", n)
                t = time.perf_counter()
                done = subprocess.run(
                    [STT_TUI, "--json", "submit", str(audio), "--wait"], env=env, check=True,
                    capture_output=True, text=True,
                )  # fmt: skip
                wall, ended = time.perf_counter() - t, time.time()
                (job,) = json.loads(done.stdout)
                engine, finished = engine_done(home / "engine" / "engine.log", job["operation_id"])
                ratios.append(wall / engine)
                print(f"{label} clip, run {n}: submit --wait {wall:.2f} s · engine {engine:.2f} s · "
                      f"ratio {wall / engine:.2f} · the command ended {ended - finished:.2f} s after the "
                      "engine finished")  # fmt: skip
            print(f"{label} clip: median ratio {statistics.median(ratios):.2f} (goal ≤ 1.2)")
    finally:
        stop_engine(home)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
