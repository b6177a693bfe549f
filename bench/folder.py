"""How the file browser copes with a big folder: 5,000 audio files (real WAVs, 1 s each).

The real app headless: time from start until the folder is listed, until the ✓ … ✗ markers are looked
up (with a history that has sent 1,000 of the files, so 1,000 are hashed the first time, none the second),
until `*` has marked all 5,000, and until the status line knows their total audio time; and how long
the event loop was ever held up meanwhile (the largest gap between two 10 ms ticks). Then the same
with the hashes cached, as on any later visit.

    python bench/folder.py [--files 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import shutil
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_folder(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(n.to_bytes(4, "little") * 8000)  # 1 s, each file its own content
        (folder / f"take-{n:05d}.wav").write_bytes(buf.getvalue())


def seed_history(home: Path, folder: Path, sent: int) -> None:
    """Jobs for the first `sent` files, as if sent before (done)."""
    from stt_tui.audio.prepare import file_hash
    from stt_tui.history import History
    from stt_tui.jobs.model import RequestOptions

    history = History(home / "history.sqlite3")
    for path in sorted(folder.iterdir())[:sent]:
        job = history.add_submitting(
            profile="local", file_path=str(path), options=RequestOptions(), file_size=path.stat().st_size,
            file_hash=file_hash(path),
        )  # fmt: skip
        history.mark_submitted(job.id, f"op{job.id:018d}", time.time(), time.time() + 60)
    history.close()


async def measure(home: Path, folder: Path, count: int) -> dict[str, float]:
    from stt_tui.settings.config import load_profile
    from stt_tui.shared.paths import resolve_paths
    from stt_tui.tui.app import SttApp
    from stt_tui.tui.widgets.status_line import StatusLine

    gaps = [0.0]

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last - 0.01)
            last = now

    started = time.perf_counter()
    app = SttApp(resolve_paths(home), load_profile(None), folder)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        tick = asyncio.create_task(ticker())
        browser = app.main.browser
        while len(browser.root.children) < count:
            await pilot.pause(0.01)
        figures["listed_s"] = time.perf_counter() - started
        while app.service is None or len(browser.seen) < min(count, 1000):
            await pilot.pause(0.01)
        figures["markers_s"] = time.perf_counter() - started
        browser.focus()
        t = time.perf_counter()
        browser.action_mark_folder()  # what `*` runs (Pilot's press adds waits of its own)
        while len(browser.marked) < count:
            await pilot.pause(0.005)
        figures["mark_all_s"] = time.perf_counter() - t
        status = app.main.query_one(StatusLine)
        while status.marked_seconds is None:
            await pilot.pause(0.01)
        figures["marked_time_s"] = time.perf_counter() - t
        figures["marked_audio_s"] = status.marked_seconds
        figures["longest_stall_ms"] = max(gaps) * 1000
        tick.cancel()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sttbench"))
    try:
        folder, home = work / "card", work / "home"
        home.mkdir()
        t = time.perf_counter()
        make_folder(folder, args.files)
        seed_history(home, folder, min(1000, args.files))
        made = time.perf_counter() - t
        print(f"{args.files:,} files made and 1,000 of them recorded as sent in {made:.1f} s")
        for visit in ("first visit (hashes computed)", "later visit (hashes cached)"):
            f = asyncio.run(measure(home, folder, args.files))
            print(
                f"{visit}: listed {f['listed_s']:.2f} s · markers {f['markers_s']:.2f} s · "
                f"mark all {f['mark_all_s']:.2f} s · their audio time ({f['marked_audio_s']:.0f} s) known in "
                f"{f['marked_time_s']:.2f} s · longest event-loop stall {f['longest_stall_ms']:.0f} ms"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
