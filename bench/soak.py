"""Many processes on one history for a set time, then the invariants that must hold.

One process runs the real TUI driven by Pilot (moving through the job list, correcting phrases and naming
channels through its own service); beside it, on the same home and the embedded engine: a `stt-tui watch`
receiving new files, `stt-tui submit --export srt` of new files and of files already sent, `forget`,
`search`, `export` and a corrector making corrections and names through a service of its own. At the
end, once every job is finished:

- every job any process reported exists (but the ones forgotten on purpose);
- each audio was sent once per request (no two jobs of one content and request);
- every format asked for is written beside its audio;
- `PRAGMA integrity_check` and FTS5's own `integrity-check` pass;
- no correction or name is lost (the last one made of each is what the history holds).

    python bench/soak.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "bench" / "speech"
STT_TUI = str(Path(sys.executable).parent / "stt-tui")
SOURCES = ["ps_cards_001.wav", "ps_cards_002.wav", "ps_cards_003.wav", "ds_LDC93S1.wav"]


def variant(source: Path, n: int, target: Path) -> Path:
    """The clip with `n` tenths of a second of silence after it: the same speech, a content of its own."""
    with wave.open(str(source)) as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    silence = b"\0\0" * params.nchannels * (params.framerate // 10) * (n % 50 + 1)
    marker = n.to_bytes(4, "little") * params.nchannels  # makes every variant differ
    with wave.open(str(target), "wb") as w:
        w.setparams(params)
        w.writeframes(frames + silence + marker)
    return target


class Log:
    """What every process reported, appended as JSON lines by the threads that run them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.ops: Counter[str] = Counter()

    def add(self, kind: str, **data: object) -> None:
        with self.lock:
            self.ops[kind] += 1
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps({"kind": kind, **data}) + "\n")

    def read(self) -> list[dict]:
        return [json.loads(line) for line in self.path.read_text().splitlines()] if self.path.exists() else []


def stt(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    return subprocess.run([STT_TUI, *args], capture_output=True, text=True, env=env, timeout=timeout)


def done_ids(home: Path) -> list[int]:
    result = stt(home, "--json", "jobs")
    if result.returncode != 0:
        return []
    return [j["id"] for j in json.loads(result.stdout) if j["state"] == "done"]


# --- the processes beside the TUI -------------------------------------------------------------------------


def submitter(home: Path, folder: Path, log: Log, stop: threading.Event, seed: int) -> None:
    """New files, and now and then one already sent (it must be linked, not sent again)."""
    rand = random.Random(seed)
    sent: list[Path] = []
    n = seed * 100_000
    while not stop.wait(3.0):  # paced so that the engine keeps up on two cores
        if sent and rand.random() < 0.3:
            path = rand.choice(sent)
        else:
            n += 1
            path = variant(SPEECH / rand.choice(SOURCES), n, folder / f"s{n}.wav")
            sent.append(path)
        result = stt(home, "--json", "submit", str(path), "--export", "srt")
        if result.returncode == 0:
            for job in json.loads(result.stdout or "[]"):
                log.add("submit", job=job["id"], path=str(path), formats=["srt"])
        else:
            log.add("submit-failed", path=str(path), error=result.stderr.strip())


def dropper(drop: Path, log: Log, stop: threading.Event) -> None:
    """Files appearing in the watched folder, written whole under a hidden name and renamed in."""
    n = 0
    while not stop.wait(6.0):
        n += 1
        part = variant(SPEECH / SOURCES[n % len(SOURCES)], 900_000 + n, drop / f".w{n}.wav.part")
        target = drop / f"w{n}.wav"
        part.rename(target)
        log.add("drop", path=str(target), formats=["txt"])


def forgetter(home: Path, folder: Path, log: Log, stop: threading.Event) -> None:
    """Jobs of files of their own sent and forgotten (their audio is never sent again)."""
    n = 0
    while not stop.wait(10.0):
        n += 1
        path = variant(SPEECH / SOURCES[0], 700_000 + n, folder / f"f{n}.wav")
        result = stt(home, "--json", "submit", str(path))
        if result.returncode != 0:
            continue
        job = json.loads(result.stdout)[0]["id"]
        if stt(home, "forget", "--force", str(job)).returncode == 0:  # running or done
            log.add("forget", job=job)


def reader(home: Path, out: Path, log: Log, stop: threading.Event) -> None:
    """Searches and exports, as scripts run them."""
    rand = random.Random(7)
    while not stop.wait(1.0):
        result = stt(home, "search", rand.choice(["seven", "clubs", "dark", "suit", "ace", "nothing"]))
        log.add("search", code=result.returncode)
        ids = done_ids(home)
        if ids:
            job = rand.choice(ids)
            target = out / f"{job}.md"
            code = stt(home, "export", str(job), "-o", str(target)).returncode
            log.add("export", job=job, code=code, written=target.exists())


CORRECTOR = """
import json, random, sys, time
from pathlib import Path
from stt_tui.service.facade import Service
from stt_tui.service.errors import UserError
from stt_tui.history import JobNotFound
from stt_tui.settings.config import load_profile
from stt_tui.shared.paths import resolve_paths
home, log, until, who = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
service = Service.open(resolve_paths(home), load_profile(None))
rand = random.Random(who)
n = 0
while time.time() < until:
    jobs = [j for j in service.history.jobs() if j.has_transcript]
    if not jobs:
        time.sleep(0.5)
        continue
    job, n, start = rand.choice(jobs), n + 1, time.time()
    try:
        if n % 3:
            text = f"{who} correction {n} ёлка"
            service.correct(job, 0, text)
            record = {"kind": "correct", "job": job.id, "n": 0, "value": text}
        else:
            name = f"{who} name {n}"
            service.rename(job, 1, name)
            record = {"kind": "name", "job": job.id, "n": 1, "value": name}
    except (UserError, JobNotFound):
        continue
    record.update(start=start, end=time.time())
    with open(log, "a") as f:
        f.write(json.dumps(record) + "\\n")
    time.sleep(0.3)
service.close()
"""


# --- the TUI ----------------------------------------------------------------------------------------------


async def drive_tui(home: Path, folder: Path, log_path: Path, until: float) -> int:
    """The real app, keys pressed through Pilot; corrections and names through the app's own service."""
    sys.path.insert(0, str(ROOT))
    from stt_tui.history import JobNotFound
    from stt_tui.service.errors import UserError
    from stt_tui.settings.config import load_profile
    from stt_tui.shared.paths import resolve_paths
    from stt_tui.tui.app import SttApp

    app = SttApp(resolve_paths(home), load_profile(None), folder)
    rand = random.Random(3)
    steps = 0
    async with app.run_test(size=(120, 40)) as pilot:
        while app.service is None:
            if app._load_error is not None or time.time() > until:
                raise SystemExit(f"The TUI could not open the history: {app._load_error}")
            await pilot.pause(0.1)
        n = 0
        while time.time() < until:
            key = rand.choice(["down", "up", "tab", "down", "end", "home"])
            await pilot.press(key)
            steps += 1
            jobs = [j for j in app.service.history.jobs() if j.has_transcript]
            if jobs and rand.random() < 0.3:
                job, n, start = rand.choice(jobs), n + 1, time.time()
                try:
                    if n % 2:
                        text = f"tui correction {n} зелёная"
                        app.service.correct(job, 0, text)
                        record = {"kind": "correct", "job": job.id, "n": 0, "value": text}
                    else:
                        name = f"tui name {n}"
                        app.service.rename(job, 1, name)
                        record = {"kind": "name", "job": job.id, "n": 1, "value": name}
                except (UserError, JobNotFound):
                    continue
                record.update(start=start, end=time.time())
                with open(log_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record) + "\n")
            await pilot.pause(0.2)
        await pilot.press("q")
    return steps


# --- the invariants ---------------------------------------------------------------------------------------


def check(home: Path, log: Log, edit_logs: list[Path]) -> list[str]:
    """Every invariant broken, as a sentence (none: all hold)."""
    sys.path.insert(0, str(ROOT))
    from stt_tui.history import History
    from stt_tui.outputs.beside import beside_path

    broken: list[str] = []
    records = log.read()
    forgotten = {r["job"] for r in records if r["kind"] == "forget"}
    history = History(home / "history.sqlite3")
    jobs = {j.id: j for j in history.jobs()}
    for r in records:
        if r["kind"] == "submit" and r["job"] not in jobs and r["job"] not in forgotten:
            broken.append(f"job #{r['job']}, reported by a submit, is not in the history")
    sent = Counter((j.file_hash, j.request) for j in jobs.values() if j.file_hash)
    broken += [f"audio {h[:12]} sent {n} times with one request" for (h, _), n in sent.items() if n > 1]
    for r in records:
        if r["kind"] in ("submit", "drop"):
            for fmt in r["formats"]:
                if not beside_path(Path(r["path"]), fmt).exists():
                    broken.append(f"{Path(r['path']).name}: the {fmt} asked for was not written")
    db = sqlite3.connect(home / "history.sqlite3")
    if (found := db.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
        broken.append(f"integrity_check: {found}")
    try:
        db.execute("INSERT INTO phrases_fts (phrases_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        broken.append(f"FTS5 integrity-check: {exc}")
    db.close()
    # Writes of one correction or name from several processes: the history must hold one that no other
    # write began after it had ended (only among overlapping writes is the order not known).
    writes: dict[tuple[str, int, int], list[dict]] = {}
    for path in edit_logs:
        for line in path.read_text().splitlines() if path.exists() else []:
            r = json.loads(line)
            writes.setdefault((r["kind"], r["job"], r["n"]), []).append(r)
    for (kind, job_id, which), made in writes.items():
        if job_id not in jobs:
            continue
        latest_start = max(r["start"] for r in made)
        possible = {r["value"] for r in made if r["end"] >= latest_start}
        edits = history.edits(job_id)
        fixed = edits.corrections.get(which)
        held = (fixed.text if fixed else None) if kind == "correct" else edits.names.get(which)
        if held not in possible:
            broken.append(f"job #{job_id}: {kind} reads {held!r}, not the last made ({sorted(possible)})")
    history.close()
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--tui", nargs=4, metavar=("HOME", "FOLDER", "LOG", "UNTIL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tui:
        home, folder, log_path, until = args.tui
        steps = asyncio.run(drive_tui(Path(home), Path(folder), Path(log_path), float(until)))
        print(steps)
        return 0

    base = Path(tempfile.mkdtemp(prefix="sttsoak"))
    home, folder, drop, out = base / "home", base / "files", base / "drop", base / "out"
    for path in (folder, drop, out):
        path.mkdir(parents=True)
    log = Log(base / "log.jsonl")
    started = time.time()
    until = started + args.minutes * 60
    stop = threading.Event()
    stt(home, "jobs")  # the history made before anyone races for it
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    tui_log = base / "tui.jsonl"
    tui_args = ["--tui", str(home), str(folder), str(tui_log), str(until)]
    # Their output goes to files: a pipe nobody reads fills up and stops the writer.
    outputs = {name: open(base / f"{name}.out", "w") for name in ("tui", "watch", "correctors")}  # noqa: SIM115
    tui = subprocess.Popen([sys.executable, __file__, *tui_args], env=env, stdout=outputs["tui"],
                           stderr=subprocess.STDOUT)  # fmt: skip
    watch = subprocess.Popen([STT_TUI, "watch", str(drop), "--export", "txt"], env=env,
                             stdout=outputs["watch"], stderr=subprocess.STDOUT)  # fmt: skip
    edit_logs = [tui_log] + [base / f"corrector{i}.jsonl" for i in range(2)]
    correctors = [
        subprocess.Popen([sys.executable, "-c", CORRECTOR, str(home), str(edit_logs[1 + i]), str(until),
                          f"c{i}"],
                         env=env, stdout=outputs["correctors"], stderr=subprocess.STDOUT)  # fmt: skip
        for i in range(2)
    ]
    threads = [
        threading.Thread(target=submitter, args=(home, folder, log, stop, 1)),
        threading.Thread(target=submitter, args=(home, folder, log, stop, 2)),
        threading.Thread(target=dropper, args=(drop, log, stop)),
        threading.Thread(target=forgetter, args=(home, folder, log, stop)),
        threading.Thread(target=reader, args=(home, out, log, stop)),
    ]
    for t in threads:
        t.start()
    while time.time() < until:
        time.sleep(1)
    stop.set()
    for t in threads:
        t.join()
    tui.wait(timeout=300)
    last = (base / "tui.out").read_text().strip().splitlines()[-1:] or ["?"]
    steps = int(last[0]) if last[0].isdigit() else 0
    for c in correctors:
        c.wait(timeout=120)
    settle = time.time() + 300
    while time.time() < settle:  # the watch sends what was dropped last, then every job ends
        waited = stt(home, "wait", timeout=600)
        pending = stt(home, "--json", "jobs")
        if (
            waited.returncode == 0
            and '"running"' not in pending.stdout
            and '"submitting"' not in pending.stdout
        ):
            break
    watch.send_signal(signal.SIGINT)
    watch.wait(timeout=60)
    for f in outputs.values():
        f.close()
    stt(home, "jobs")  # a command after the watch: delivers what finished unseen
    elapsed = (time.time() - started) / 60
    broken = check(home, log, edit_logs)
    edits = sum(len(p.read_text().splitlines()) for p in edit_logs if p.exists())
    ops = sum(log.ops.values()) + edits + steps
    jobs = json.loads(stt(home, "--json", "jobs").stdout)
    print(f"ran {args.minutes:g} min of load ({elapsed:.1f} min with the settling) in {base}")
    print("processes: the TUI (Pilot), a watch, 2 correctors; 2 submitters, a dropper, a forgetter and a "
          "reader starting stt-tui commands")  # fmt: skip
    counts = {**log.ops, "edit": edits, "tui key": steps}
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"operations: {ops} ({ops / args.minutes:.0f}/min): {kinds}")
    print(f"jobs in the history: {len(jobs)} ({sum(j['state'] == 'done' for j in jobs)} done)")
    print(f"invariants broken: {len(broken)}")
    for sentence in broken[:20]:
        print(f"  {sentence}")
    if not broken:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
