"""How fast the TUI comes up over a history of 0, 10,000 and 100,000 jobs, and what its list costs.

For each size, a fresh history (bench/make_history.py), then the real app headless in a process of its
own: time to the first frame, time until the newest rows are painted, peak RSS, and how long a filter
and a sort take to show. With tmux on the machine it also times the installed binary in a real 80×24
terminal, from launch to the job count on screen.

    python bench/tui_startup.py [--sizes 0 10000 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


async def measure(home: Path, folder: Path) -> dict[str, float]:
    from stt_tui.settings.config import load_profile
    from stt_tui.shared.paths import resolve_paths
    from stt_tui.tui.app import SttApp

    class TimedApp(SttApp):
        def on_ready(self) -> None:
            # Textual calls SttApp.on_ready too (handlers run for every class in the MRO).
            self.first_frame = time.perf_counter() - started

    (home / "tui-state.json").unlink(missing_ok=True)  # a remembered sort from an earlier run
    started = time.perf_counter()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    app = TimedApp(resolve_paths(home), load_profile(None), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main.jobs
        while table.shown is None:
            await pilot.pause(0.005)
        await pilot.pause(0)  # the frame with the rows
        painted = time.perf_counter() - started
        t = time.perf_counter()
        table.filter_text = "meeting-0009"
        while table.shown[2] != "meeting-0009":
            await pilot.pause(0.002)
        filtered = time.perf_counter() - t
        table.filter_text = ""
        while table.shown[2]:
            await pilot.pause(0.002)
        t = time.perf_counter()
        table.sort_by = "file"
        while table.shown[0] != "file":
            await pilot.pause(0.002)
        sorted_ = time.perf_counter() - t
        await pilot.press("q")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "first_frame": app.first_frame,
        "painted": painted,
        "filter": filtered,
        "sort": sorted_,
        "rss_mb": rss / 1024,
        "rss_growth_mb": (rss - rss_before) / 1024,
    }


def tmux_shown(home: Path, count: int, folder: Path) -> float | None:
    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    binary = str(Path(sys.executable).parent / "stt-tui")
    base = [tmux, "-L", f"stt-bench-{os.getpid()}"]
    started = time.perf_counter()
    command = f"STT_TUI_HOME={home} {binary} {folder}"
    subprocess.run([*base, "new-session", "-d", "-s", "b", "-x", "80", "-y", "24", command], check=True)
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000, 100_000])
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # measure one home, print JSON
    args = parser.parse_args()
    if args.one:
        folder = args.one / "files"
        print(json.dumps(asyncio.run(measure(args.one, folder))))
        return
    sys.path.insert(0, str(BENCH))
    from make_history import make_history

    root = Path(tempfile.mkdtemp(prefix="sttbench"))
    try:
        for size in args.sizes:
            home = root / f"h{size}"
            (home / "files").mkdir(parents=True)
            t = time.perf_counter()
            if size:
                make_history(home / "history.sqlite3", size)
            made = time.perf_counter() - t
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(home)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            f = json.loads(out.strip().splitlines()[-1])
            real = tmux_shown(home, size, home / "files")
            shown = f"{real:.2f} s" if real is not None else "n/a"
            print(
                f"{size:>7,} jobs (made in {made:5.1f} s): first frame {f['first_frame']:.3f} s · "
                f"newest rows painted {f['painted']:.3f} s · "
                f"peak RSS {f['rss_mb']:.0f} MB (+{f['rss_growth_mb']:.0f}) · "
                f"filter {f['filter'] * 1000:.0f} ms · sort by file {f['sort'] * 1000:.0f} ms · tmux 80×24 "
                f"to 'Jobs ({size:,})' {shown}",
                flush=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
