"""Crash test: SIGKILL `submit --wait`, `wait` and the engine at random moments, then check that nothing
was corrupted or lost and that `wait` finishes every job.

    python bench/crash.py [--kills 100] [--seed 1]

Prints, per target, how many kills landed; then `PRAGMA integrity_check` of every SQLite file, the
operation ids the engine accepted that the history does not know (and whether each is visible as a
recoverable row), and how long the final `wait` took.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.homes import STT_TUI, alive, engine_pid  # noqa: E402

SPEECH = ROOT.parent / "shared" / "bench" / "speech"
CLIPS = [
    "ps_cards_001.wav", "ps_cards_002.wav", "ps_cards_003.wav", "sb_spk1_snt1.wav", "ds_arctic_a0024.wav",
]  # fmt: skip


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rand = random.Random(args.seed)
    home = Path(tempfile.mkdtemp(prefix="sttcrash"))
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    kills: Counter[str] = Counter()
    started = time.monotonic()
    try:
        n = 0
        while sum(kills.values()) < args.kills:
            n += 1
            target = rand.choice(["submit", "wait", "engine"])
            if target == "engine":
                pid = engine_pid(home)
                if pid is None or not alive(pid):
                    # Nothing to kill yet: start work so that the engine runs.
                    subprocess.Popen(
                        [STT_TUI, "submit", str(SPEECH / rand.choice(CLIPS))],
                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    ).wait()  # fmt: skip
                    pid = engine_pid(home)
                time.sleep(rand.uniform(0, 1.5))
                if pid is not None and alive(pid):
                    os.kill(pid, signal.SIGKILL)
                    kills["engine"] += 1
                continue
            cmd = [STT_TUI, "submit", str(SPEECH / rand.choice(CLIPS)), "--wait"] if target == "submit" else [
                STT_TUI, "wait", "--timeout", "20"
            ]  # fmt: skip
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rand.uniform(0, 2.0))
            if proc.poll() is None:
                proc.kill()
                kills[target] += 1
            proc.wait()
            if n % 10 == 0:
                print(f"{n} rounds, kills so far {dict(kills)}", flush=True)

        finish = time.monotonic()
        final = subprocess.run(
            [STT_TUI, "wait", "--timeout", "600", "--json"], env=env, capture_output=True, text=True
        )
        waited = time.monotonic() - finish

        history = home / "history.sqlite3"
        store = home / "engine" / "engine.sqlite3"
        checks = {p.name: integrity(p) for p in (history, store) if p.exists()}
        db = sqlite3.connect(history)
        known = {r[0] for r in db.execute("SELECT operation_id FROM jobs WHERE operation_id IS NOT NULL")}
        states = Counter(r[0] for r in db.execute("SELECT state FROM jobs"))
        recoverable = db.execute(
            "SELECT COUNT(*) FROM jobs WHERE state='failed' "
            "AND last_error LIKE 'Interrupted while submitting%'"
        ).fetchone()[0]
        db.close()
        engine_db = sqlite3.connect(store)
        accepted = {r[0] for r in engine_db.execute("SELECT id FROM operations")}
        engine_db.close()
        lost = accepted - known
        print()
        print(f"kills: {dict(kills)} ({sum(kills.values())} in {n} rounds) over {finish - started:.0f} s")
        print(f"integrity_check: {checks}")
        print(f"jobs by state after the final wait: {dict(states)}")
        print(f"operation ids the engine accepted: {len(accepted)}; unknown to the history: {len(lost)}")
        print(f"rows marked 'Interrupted while submitting' (the id may be lost): {recoverable}")
        print(f"final `wait`: exit {final.returncode} in {waited:.1f} s")
        ok = all(v == "ok" for v in checks.values()) and len(lost) <= recoverable
        settled = not states.get("running") and not states.get("submitting")
        print("PASS" if ok and settled and final.returncode in (0, 4) else "FAIL")
    finally:
        pid = engine_pid(home)
        if pid is not None and alive(pid):
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not alive(pid):
                    break
                time.sleep(0.1)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
