"""Keys as a daily driver expects them, and what the app remembers: through Pilot on the real app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widget import Widget

from stt_tui.history import History
from stt_tui.jobs.model import RequestOptions
from stt_tui.settings import preferences
from stt_tui.tui.screens.help import HelpScreen, key_rows
from stt_tui.tui.widgets.file_browser import FileBrowser
from tests.support.audio_helpers import clip
from tests.support.tui_helpers import make_app
from tests.support.waiting import wait_for


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
        assert app.screen.sections[0][0] == "Files"  # where ? was pressed comes first
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


async def test_the_empty_list_hint_wraps_whole_on_a_narrow_terminal(home, folder):
    app = make_app(home, folder)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.shown is not None, what="the empty list")
        lines = [table.render_line(y).text.strip() for y in range(2, 8)]
        said = " ".join(line for line in lines if line)
        assert "…" not in said
        assert "press s (space marks several), or open the app on your recordings: stt-tui ~/recordings" in (
            said
        )


async def test_while_the_first_file_is_read_the_empty_list_does_not_ask_for_it_again(home, folder):
    """From Ctrl+S until the job's row is there (the engine starting, a file read), the empty list once
    went on saying "press s"; a batch that sends nothing brings the first-launch hint back."""
    import threading

    (folder / "empty").mkdir()
    app = make_app(home, folder)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        table = app.main.jobs
        said = lambda: " ".join(table.render_line(y).text.strip() for y in range(2, 6))  # noqa: E731
        await wait_for(pilot, lambda: "press s" in said(), what="the first-launch hint")
        browser = app.main.browser
        await wait_for(pilot, lambda: len(browser.root.children) == 3, what="the folders")
        await pilot.press("j", "j", "j", "s")  # the empty folder
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SubmitScreen", what="the dialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("holds no audio files" in m for _, m in app.shown), what="no files")
        await wait_for(pilot, lambda: "press s" in said(), what="the first-launch hint again")
        assert app.main.files.work.gathering == 0

        submission, go = app.service.submission, threading.Event()
        plan = submission.plan

        def held_plan(*args, **kwargs):  # the real submit, once the list has been read meanwhile
            go.wait(10)
            return plan(*args, **kwargs)

        submission.plan = held_plan  # type: ignore[method-assign]
        await pilot.press("g", "j", "enter", "j", "s")  # into a/, onto a.wav
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SubmitScreen", what="the dialog again")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "once the file is read" in said(), what="the hint for a file in flight")
        assert "press s" not in said()
        go.set()
        await wait_for(pilot, lambda: table.row_count == 1, what="the job's row")


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
    from tests.support.transcripts import operation_json

    home.mkdir(parents=True, exist_ok=True)
    keymap = '"jobs.export" = "x"\n"jobs.no-such-thing" = "z"\n"export.cancel" = "f9"\n'
    (home / "config.toml").write_text(f"[keymap]\n{keymap}")
    history = History(home / "history.sqlite3")
    job = history.add_submitting(profile="local", file_path="/audio/talk.wav", options=RequestOptions())
    history.mark_submitted(job.id, "op" + "1" * 18, 1000.0, 1001.0)
    history.store_result(job.id, operation_json())
    history.close()
    app = make_app(home, folder, config=load_config(resolve_paths(home).config_dir))
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 1, what="the history")
        assert [m for _, m in app.shown if "names no binding" in m] == [
            "config.toml's [keymap] names no binding jobs.no-such-thing; ? lists the ids."
        ]  # a dialog's key is one to remap too (export.cancel was refused as unknown)
        table.focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export, on x")
        await pilot.press("f9")  # the dialog's field takes letters
        await wait_for(pilot, lambda: app.screen is app.main, what="the export cancelled, on F9")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        jobs = dict(app.screen.sections)["Jobs"]
        rows = key_rows(jobs, app.get_key_display, app.screen.keymap)
        assert next(keys for keys, what in rows if "[jobs.export]" in what) == "x"


async def test_the_bell_rings_only_when_asked_and_the_export_format_is_remembered(home, folder):
    from stt_tui.tui.screens.export import ExportScreen
    from tests.support.transcripts import operation_json

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
        await pilot.press("ctrl+s")
        await wait_for(pilot, (folder / "a" / "a.vtt").exists, what="the VTT file")
        await pilot.press("q")
    prefs = preferences.load(home / "tui-state.json")
    assert prefs.bell and prefs.export_format == "vtt"


def test_every_dialog_brings_its_own_footer():
    """A ModalScreen that is not a Dialog leaves the main screen's footer showing keys that do nothing."""
    import importlib
    import pkgutil

    from textual.screen import ModalScreen

    import stt_tui.tui.screens as screens
    from stt_tui.tui.screens.dialog import Dialog

    for info in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"{screens.__name__}.{info.name}")
    modal = {cls for cls in _subclasses(ModalScreen) if cls.__module__.startswith("stt_tui.")} - {Dialog}
    assert len(modal) >= 10 and all(issubclass(cls, Dialog) for cls in modal), modal


def test_every_key_the_tui_declares_can_be_remapped():
    """[keymap] refused the ids of the dialogs' keys as unknown: the check knew only some screens."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import stt_tui.tui as tui
    from stt_tui.tui.app import SttApp
    from stt_tui.tui.commands import binding_ids

    for info in pkgutil.walk_packages(tui.__path__, f"{tui.__name__}."):
        importlib.import_module(info.name)
    declared = {
        b.id
        for cls in _subclasses(DOMNode)
        if cls.__module__.startswith("stt_tui.")
        for b in cls.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding) and b.id
    }
    assert {"export.cancel", "dialog.help", "search.close", "files.watch"} <= declared
    assert declared - binding_ids(SttApp.key_owners()) == set()


async def test_f1_in_a_dialog_opens_help_at_the_dialog_s_keys(home, folder):
    """The app's keys stop at a modal screen: in a dialog no key opened help (? is a character there)."""
    from stt_tui.tui.screens.search import SearchScreen
    from stt_tui.tui.screens.submit import SubmitScreen

    app = make_app(home, folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await wait_for(pilot, lambda: len(app.main.browser.root.children) == 2, what="the folder")
        for keys, dialog, first in (
            (("ctrl+f",), SearchScreen, "search.close"),
            (("down", "down", "s"), SubmitScreen, "submit.cancel"),
        ):
            await pilot.press(*keys)
            await wait_for(pilot, lambda d=dialog: isinstance(app.screen, d), what=dialog.__name__)  # type: ignore[misc]
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help over the dialog")
            title, bindings = app.screen.sections[0]
            rows = key_rows(bindings, app.get_key_display)
            assert title == "This dialog" and f"[{first}]" in rows[0][1]
            await pilot.press("f1")  # closes help, as ? and Esc do
            await wait_for(pilot, lambda d=dialog: isinstance(app.screen, d), what="back in the dialog")  # type: ignore[misc]
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main, what="the dialog closed")


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())  # type: ignore[var-annotated]
    return found.union(*(_subclasses(sub) for sub in found)) if found else found


async def test_a_dialog_footer_lists_its_own_keys_not_those_of_the_screen_beneath(home, folder):
    from stt_tui.tui.screens.search import SearchScreen
    from stt_tui.tui.screens.submit import SubmitScreen

    app = make_app(home, folder / "a")
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")

        def shown_keys() -> set[str]:
            return {key.description for key in app.screen.query("FooterKey") if key.region.height}

        await wait_for(pilot, lambda: "Submit" in shown_keys(), what="the main screen's footer")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        await wait_for(pilot, lambda: "Close" in shown_keys(), what="the search's own footer")
        assert "Submit" not in shown_keys() and "Mark" not in shown_keys()
        await pilot.press("escape")
        app.main.browser.focus()
        await pilot.press("j", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        await wait_for(pilot, lambda: "Cancel" in shown_keys(), what="the submit dialog's footer")
        assert "Mark" not in shown_keys()


async def test_a_footer_key_is_shown_whole_or_not_at_all(home, folder):
    """On a narrow terminal a key without its name ("w ▏") tells nothing: the ones that do not fit go,
    and come back when the terminal grows."""
    app = make_app(home, folder / "a")
    async with app.run_test(size=(60, 24)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        footer = app.main.query_one("KeyFooter")
        await wait_for(pilot, lambda: footer.query("#footer-right"), what="the footer")

        def shown() -> list[str] | None:
            """The keys in view, if every one of them is whole (None if one is cut)."""
            limit = footer.query_one("#footer-right").region.x
            # Queried by its type's name: Textual exports no FooterKey (it lives in a private module).
            left = [key for key in footer.query("FooterKey") if not key.has_class("-right")]
            visible = [key for key in left if key.styles.opacity > 0]
            whole = all(key.region.right <= limit for key in visible)
            return [key.description for key in visible] if whole else None

        every = ["Mark", "Submit", "Mark all", "Watch", "Quit"]
        await wait_for(pilot, lambda: shown() == every[:3], what="the keys that fit in 60 columns")
        assert "Help" in {key.description for key in footer.query("FooterKey") if key.region.width}
        browser = app.main.query_one(FileBrowser)

        async def click_watch() -> Widget:
            """A click on the part of the Watch key that is not under the kept keys; the key."""
            watch = next(key for key in footer.query("FooterKey") if key.description == "Watch")
            await pilot.click(offset=(watch.region.x, watch.region.y))
            return watch

        # Faded out, its place is blank: a click there used to start a watch of the folder. Textual sends
        # no click to a disabled widget: the faded key cannot start one, however long one waited.
        watch = await click_watch()
        assert watch.disabled and browser.watching is None
        await pilot.resize_terminal(200, 24)
        await wait_for(pilot, lambda: shown() == every, what="every key at 200 columns")
        await click_watch()  # in view, the key works
        await wait_for(pilot, lambda: browser.watching is not None, what="the watch")
        await click_watch()
        await wait_for(pilot, lambda: browser.watching is None, what="the watch to stop")
        await pilot.resize_terminal(60, 24)
        await wait_for(pilot, lambda: shown() == every[:3], what="the narrow footer again")
        await pilot.press("ctrl+f", "escape")  # the keys are recomposed while a dialog covers them
        await wait_for(pilot, lambda: app.screen is app.main, what="back from the search")
        await wait_for(pilot, lambda: shown() == every[:3], what="the narrow footer after a dialog")


async def test_a_profile_without_credentials_says_so_until_it_has_them(home, folder, monkeypatch):
    """Switched to a profile that cannot work, the status line said "cloud" once the notice had gone,
    as if all were well; picked again once the key is there, it works."""
    from stt_tui.service.poll_round import Status
    from stt_tui.tui.main.screen import NOT_READY
    from stt_tui.tui.screens.profiles import ProfileScreen

    for name in ("YC_API_KEY", "YC_IAM_TOKEN", "YC_SERVICE_ACCOUNT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    app = make_app(home, folder)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        status = app.main.status
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen), what="the profiles")
        await pilot.press("down", "enter")  # yandex
        await wait_for(pilot, lambda: app.profile.name == "yandex", what="the switch")
        assert status.engine == NOT_READY
        said = "Using profile yandex, which cannot work yet. The yandex profile has no credentials: set"
        assert any(message.startswith(said) for _, message in app.shown)
        app.main.show_status(Status(0, 3000, 0, "cloud"))  # what the next poll round says of the backend
        assert status.engine == NOT_READY

        monkeypatch.setenv("YC_API_KEY", "AQVN-a-key-for-the-test")
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen), what="the profiles again")
        await pilot.press("enter")  # the profile in use is highlighted: picked again
        await wait_for(pilot, lambda: status.engine == "cloud", what="the profile taken up again")
        assert app.shown[-1][1] == "Using profile yandex."


async def test_opened_on_a_profile_without_credentials_the_app_says_so(home, folder, monkeypatch):
    from stt_tui.settings.config import load_profile
    from stt_tui.shared.paths import resolve_paths
    from stt_tui.tui.main.screen import NOT_READY
    from tests.support.tui_helpers import RecordingApp

    for name in ("YC_API_KEY", "YC_IAM_TOKEN", "YC_SERVICE_ACCOUNT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    app = RecordingApp(resolve_paths(home), load_profile("yandex"), folder)  # stt-tui --profile yandex
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_for(pilot, lambda: app.main.status.engine == NOT_READY, what="the profile said unready")
        said = "Profile yandex cannot work yet. The yandex profile has no credentials: set"
        assert any(message.startswith(said) for _, message in app.shown)
