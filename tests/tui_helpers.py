"""Driving the real app with Pilot: wait for conditions instead of sleeping fixed times."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from stt_tui.settings.config import load_profile
from stt_tui.shared.paths import resolve_paths
from stt_tui.tui import cells
from stt_tui.tui.app import SttApp
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.job_rows import COLUMNS


class RecordingApp(SttApp):
    """The real app, keeping every notification it shows so tests can read them."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.shown: list[tuple[str, str]] = []  # (severity, message)

    def notify(self, message, *, severity="information", **kw) -> None:
        self.shown.append((severity, str(message)))
        super().notify(message, severity=severity, **kw)


def make_app(home: Path, start: Path, **kw) -> RecordingApp:
    return RecordingApp(resolve_paths(home), load_profile(None), start, **kw)


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}")


def screen_text(app: SttApp) -> str:
    """The characters on the screen as the terminal would show them (as App.export_screenshot
    renders, without the colours)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, color_system=None,
                      legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def row_cells(table: JobList, job_id: int) -> dict[str, str]:
    """The plain text of a job's cells in the list, by column key."""
    job = table.read_rows([job_id])[job_id]
    values = cells.cells(job, table.clock(), table.policy)
    return {key: str(values[key]) for key, _, _ in COLUMNS}
