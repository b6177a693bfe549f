"""Keys as a daily driver expects them, and what the app remembers: through Pilot on the real app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stt_tui.history import History
from stt_tui.jobs.model import RequestOptions
from stt_tui.settings import preferences
from stt_tui.tui.screens.help import HelpScreen, key_rows

from .audio_helpers import clip
from .homes import stop_engine
from .tui_helpers import make_app, wait_for


@pytest.fixture
def home(short_tmp: Path):
    yield short_tmp / "home"
    stop_engine(short_tmp / "home")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for sub in ("a", "b"):
        (tmp_path / "rec" / sub).mkdir(parents=True)
        shutil.copy(clip("ps_cards_001.wav").path, tmp_path / "rec" / sub / f"{sub}.wav")
    return tmp_path / "rec"


async def test_vim_keys_the_root_never_collapses_and_colon_opens_the_palette(home, folder):
    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        browser = app.main.browser
        await wait_for(pilot, lambda: len(browser.root.children) == 2, what="the folder")
        await pilot.press("enter")  # on the root: it used to collapse the whole tree
        assert browser.root.is_expanded
        await pilot.press("j")
        assert browser.cursor_line == 1
        await pilot.press("G")
        assert browser.cursor_line == browser.last_line
        await pilot.press("g", "k")
        assert browser.cursor_line == 0
        await pilot.press("colon")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette", what="the palette")
        await pilot.press("escape")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        sections = dict(app.screen.sections)
        everywhere = [b.key if hasattr(b, "key") else b[0] for b in sections["Everywhere"]]
        assert "q" not in everywhere  # q quits on the main screen, and is Back in a transcript
        assert any(getattr(b, "key", "") == "q" for b in sections["Main screen"])


async def test_escape_clears_a_filter_and_the_list_says_why_it_is_empty(home, folder):
    history = History(home / "history.sqlite3")
    history.add_submitting(profile="local", file_path="/audio/talk.wav", options=RequestOptions())
    history.close()
    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 1, what="the history")
        table.focus()
        await pilot.press("slash", *"nothing-like-it", "enter")
        await wait_for(pilot, lambda: table.row_count == 0, what="the filter")
        assert "No job matches" in table.render_line(2).text
        assert table.has_focus
        await pilot.press("escape")
        await wait_for(pilot, lambda: table.row_count == 1, what="the filter cleared")
        assert not app.main.query_one("#job-filter").display


async def test_an_empty_history_says_what_to_do(home, folder):
    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.shown is not None, what="the empty list")
        assert "No jobs yet" in table.render_line(2).text and "press s" in table.render_line(2).text


async def test_theme_and_sort_are_remembered(home, folder):
    app = make_app(home, folder / "a")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        app.theme = "nord"
        app.main.jobs.focus()
        await pilot.press("o", "O")  # sort by state, then reverse it
        await pilot.press("slash", *"talk", "enter")  # a filter, kept as the sort is
        await pilot.press("q")
    prefs = preferences.load(home / "tui-state.json")
    assert prefs.theme == "nord" and prefs.job_order() == ("state", True) and prefs.job_filter == "talk"
    again = make_app(home, folder / "a")
    async with again.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: again.service is not None, what="the history")
        assert again.theme == "nord"
        assert (again.main.jobs.sort_by, again.main.jobs.descending) == ("state", True)
        assert again.main.jobs.filter_text == "talk" and again.main.query_one("#job-filter").display


async def test_keys_remapped_in_config_toml(home, folder):
    from stt_tui.settings.config import load_config
    from stt_tui.shared.paths import resolve_paths
    from stt_tui.tui.screens.export import ExportScreen

    from .test_export import operation_json

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[keymap]\n"jobs.export" = "x"\n"jobs.no-such-thing" = "z"\n')
    history = History(home / "history.sqlite3")
    job = history.add_submitting(profile="local", file_path="/audio/talk.wav", options=RequestOptions())
    history.mark_submitted(job.id, "op" + "1" * 18, 1000.0, 1001.0)
    history.store_result(job.id, operation_json())
    history.close()
    app = make_app(home, folder, config=load_config(resolve_paths(home).config_dir))
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 1, what="the history")
        assert any("names no binding jobs.no-such-thing" in m for _, m in app.shown)
        table.focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export, on x")
        await pilot.press("escape")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        jobs = dict(app.screen.sections)["Jobs"]
        rows = key_rows(jobs, app.get_key_display, app.screen.keymap)
        assert next(keys for keys, what in rows if "[jobs.export]" in what) == "x"


async def test_the_bell_rings_only_when_asked_and_the_export_format_is_remembered(home, folder):
    from stt_tui.tui.screens.export import ExportScreen

    from .test_export import operation_json

    history = History(home / "history.sqlite3")
    wav = str(folder / "a" / "a.wav")
    job = history.add_submitting(profile="local", file_path=wav, options=RequestOptions())
    history.mark_submitted(job.id, "op" + "2" * 18, 1000.0, 1001.0)
    history.store_result(job.id, operation_json())
    history.close()
    app = make_app(home, folder)
    rings: list[bool] = []
    app.bell = lambda: rings.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the history")
        app.alert("a failure")
        assert rings == []  # off unless asked for
        await pilot.press("ctrl+b")
        app.alert("another failure")
        assert rings == [True]
        app.main.jobs.focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export dialog")
        app.screen.query_one("#format").value = "vtt"
        await pilot.press("enter")
        await wait_for(pilot, (folder / "a" / "a.vtt").exists, what="the VTT file")
        await pilot.press("q")
    prefs = preferences.load(home / "tui-state.json")
    assert prefs.bell and prefs.export_format == "vtt"
