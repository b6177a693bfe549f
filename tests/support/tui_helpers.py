"""Driving the real app with Pilot: wait for conditions instead of sleeping fixed times."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import OptionList

from stt_tui.settings.config import load_profile
from stt_tui.shared.paths import resolve_paths
from stt_tui.tui import cells
from stt_tui.tui.app import SttApp
from stt_tui.tui.screens.transcript import TranscriptScreen
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.job_rows import COLUMNS
from tests.support.waiting import wait_for


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


async def highlight(pilot, app, name: str) -> None:
    """Move the tree cursor down until it is on the named file (expanding folders on the way)."""
    browser = app.main.browser
    for _ in range(30):
        node = browser.cursor_node
        if node is not None and node.data is not None and node.data.path.name == name:
            return
        if node is not None and node.allow_expand and not node.is_expanded:
            await pilot.press("enter")
            await wait_for(pilot, lambda n=node: n.is_expanded and n.children, what="the folder to open")  # type: ignore[misc]
        await pilot.press("down")
    raise AssertionError(f"{name} not found in the browser")


def shown(options: OptionList, index: int) -> str:
    """An entry of a list as it reads on screen."""
    console = Console(record=True, width=100, file=io.StringIO())
    console.print(options.get_option_at_index(index).prompt)
    return console.export_text()


async def open_transcript(pilot, job_id: int) -> None:
    """The app's transcript of a job, as the job list opens it."""
    app = pilot.app
    await wait_for(pilot, lambda: app.service is not None, what="the history")
    app.main.open_transcript(job_id)
    # Pushed is not yet mounted: a phrase highlighted before its list is filled was reset to the first
    # (a test that played from the second phrase heard the first, once, on a loaded machine).
    shown = lambda: isinstance(app.screen, TranscriptScreen) and app.screen.is_mounted  # noqa: E731
    await wait_for(pilot, shown, what="the transcript")
