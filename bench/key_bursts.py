"""Keys typed in one burst (one read from the terminal, as tmux and SSH deliver them): how many arrive
where the keys before them lead, and how long the burst takes to land, with the keys handed on in order
(tui/keys_in_order.py) and as Textual hands them on by itself.

    python bench/key_bursts.py [--runs 10]

Each burst is put into the real app's driver queue at once (nothing waits between its keys), on a home
holding one stored transcript; a run counts as whole when what the last key should leave is on screen.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.app import App

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.histories import stored  # noqa: E402
from tests.support.tui_helpers import make_app  # noqa: E402

from stt_tui.tui.keys_in_order import KeysInOrder  # noqa: E402
from stt_tui.tui.screens.search import SearchScreen  # noqa: E402
from stt_tui.tui.screens.transcript import TranscriptScreen  # noqa: E402

NAMES = {"space": " ", "enter": "\r", "slash": "/"}
WORD = "thequickbrownfoxjumpsoverthelazydog"

# name: (keys, what should be on screen once every key has landed)
Check = Callable[[App[None]], bool]


def job_filter(app: App[None]) -> str:
    return str(app.main.jobs.filter_text)  # type: ignore[attr-defined]


def box(app: App[None], selector: str) -> str:
    try:
        return str(app.screen.query_one(selector).value)  # type: ignore[attr-defined]
    except Exception:
        return ""


BURSTS: dict[str, tuple[list[str], Check]] = {
    "Ctrl+F, 10 Backspaces, a word": (
        ["ctrl+f", *["backspace"] * 10, *"countz"],
        lambda app: isinstance(app.screen, SearchScreen) and box(app, "#query") == "countz",
    ),
    "Ctrl+F, Esc, / and a word": (
        ["ctrl+f", *"ab", "escape", "slash", *"xyz"],
        lambda app: app.screen is app.main and job_filter(app) == "xyz",  # type: ignore[attr-defined]
    ),
    "Enter, / and a word in the transcript": (
        ["enter", "slash", *"there"],
        lambda app: isinstance(app.screen, TranscriptScreen) and box(app, "#search") == "there",
    ),
    "Ctrl+F, a word, Enter before the hits came, / and a word": (
        ["ctrl+f", *"thanks", "enter", "slash", *"there"],
        lambda app: isinstance(app.screen, TranscriptScreen) and app.screen.search_text == "there",
    ),
    f"/ and {len(WORD)} letters into the job filter": (
        ["slash", *WORD],
        lambda app: job_filter(app) == WORD,
    ),
}


def burst(app: App[None], keys: list[str]) -> None:
    for name in keys:
        key = events.Key(name, name if len(name) == 1 else NAMES.get(name))
        key.set_sender(app)
        app._driver.send_message(key)  # type: ignore[union-attr]


async def back_to_the_list(app: App[None], pilot: object) -> None:
    while app.screen is not app.main:  # type: ignore[attr-defined]
        app.pop_screen()
        await pilot.pause()  # type: ignore[attr-defined]
    jobs = app.main.jobs  # type: ignore[attr-defined]
    app.main.query_one("#job-filter").value = ""  # type: ignore[attr-defined]
    jobs.focus()
    await pilot.pause(0.2)  # type: ignore[attr-defined]


async def measure(runs: int, home: Path, start: Path) -> dict[str, tuple[int, float]]:
    app = make_app(home, start)
    results: dict[str, tuple[int, float]] = {}
    async with app.run_test(size=(100, 32)) as pilot:
        while app.service is None or app.main.jobs.row_count < 1:
            await pilot.pause(0.05)
        while app.service.history.index_counts() != (1, 1):  # the search finds the transcript
            await pilot.pause(0.05)
        for name, (keys, landed) in BURSTS.items():
            whole, took = 0, 0.0
            for _ in range(runs):
                await back_to_the_list(app, pilot)
                began = time.perf_counter()
                burst(app, keys)
                while time.perf_counter() - began < 5 and not landed(app):
                    await asyncio.sleep(0.005)
                if landed(app):
                    whole += 1
                    took += time.perf_counter() - began
            results[name] = (whole, took / whole if whole else float("nan"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows: dict[str, dict[str, tuple[int, float]]] = {}
    for way in ("in order", "as Textual hands them on"):
        with tempfile.TemporaryDirectory() as folder:
            home, start = Path(folder) / "home", Path(folder) / "start"
            start.mkdir()
            home.mkdir()
            stored(home, "first.wav")
            if way != "in order":
                KeysInOrder.on_event = App.on_event  # type: ignore[method-assign]
            rows[way] = asyncio.run(measure(args.runs, home, start))
    print(f"{'burst':64} {'keys handed on':>26} {'as Textual hands them on':>28}")
    for name, (keys, _) in BURSTS.items():
        cells = []
        for way in rows:
            whole, took = rows[way][name]
            cells.append(f"{whole}/{args.runs} whole, {took * 1000:5.0f} ms")
        print(f"{name + f' ({len(keys)} keys)':64} {cells[0]:>26} {cells[1]:>28}")
    print("(whole: runs in which every key landed where the keys before it lead; ms: from the burst to the"
          " last key on screen, over the whole runs)")


if __name__ == "__main__":
    main()
