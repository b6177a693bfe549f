"""What tripped a newcomer on the second day (issue 33), on the real app through Pilot."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from stt_tui.tui.screens.search import SearchScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from tests.support.histories import stored
from tests.support.tui_helpers import make_app, open_transcript
from tests.support.waiting import wait_for


async def test_two_files_marked_say_two_marked(home, tmp_path, monkeypatch):
    """The first mark's audio time, read after the second mark, said `1 marked` over two."""
    import shutil
    import threading

    from stt_tui.audio import probe as audio
    from stt_tui.tui.widgets.status_line import StatusLine
    from tests.support.audio_helpers import clip

    for name in ("a.wav", "b.wav"):
        shutil.copy(clip("ds_arctic_a0024.wav").path, tmp_path / name)
    real, first_asked, go = audio.probe, threading.Event(), threading.Event()

    def held_probe(path):  # the first file's time is read last, after both files' time
        if not first_asked.is_set():
            first_asked.set()
            go.wait(10)
        return real(path)

    monkeypatch.setattr(audio, "probe", held_probe)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        browser, status = app.main.browser, app.main.query_one(StatusLine)
        await wait_for(pilot, lambda: app.service and browser.root.children, what="the folder")
        browser.focus()
        await pilot.press("down", "space")
        await wait_for(pilot, lambda: first_asked.is_set(), what="the first file's time being read")
        await pilot.press("space")
        await wait_for(pilot, lambda: len(browser.marked) == 2 and status.marked == 2, what="the second mark")
        await wait_for(pilot, lambda: status.marked_seconds is not None, what="the time of both")
        go.set()  # the first mark's reading ends last
        timing = lambda: [w for w in app.workers if w.group == "marked-time" and w.is_running]  # noqa: E731
        await wait_for(pilot, lambda: not timing(), what="every reading of the time done")
        await pilot.pause()  # what they posted, handled
        assert status.marked == 2 and "2 marked (" in str(status.render())


async def test_j_and_k_move_in_the_profile_picker(home, tmp_path):
    """`j` Enter picks the next profile (it kept the one in use: only the arrows moved)."""
    from stt_tui.tui.screens.profiles import ProfileScreen

    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen), what="the picker")
        options = app.screen.query_one("#profiles", OptionList)
        await wait_for(pilot, lambda: options.has_focus, what="the list")
        first = options.highlighted
        await pilot.press("j")
        assert options.highlighted == first + 1
        await pilot.press("k")
        assert options.highlighted == first
        await pilot.press("G")
        assert options.highlighted == options.option_count - 1


async def test_enter_in_the_search_opens_the_hit_and_a_quote_alone_is_no_filter(home, tmp_path):
    first = stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await wait_for(pilot, lambda: app.service.history.index_counts() == (1, 1), what="the index")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        search = app.screen
        note = search.query_one("#search-note")
        await pilot.press('"')
        await wait_for(pilot, lambda: search._hits_for == '"', what="the answer to a quote")
        said = str(note.render())
        assert "Give some words" in said and "filters" not in said
        await pilot.press("backspace", *"thanks")
        await wait_for(pilot, lambda: search.hits and search._hits_for == "thanks", what="the hit")
        await pilot.press("enter")  # one Enter opens it
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        assert app.screen.job.id == first


async def test_the_export_dialog_opens_on_its_first_choice_and_says_its_keys(home, tmp_path):
    """It opened in the path field with the path selected: Enter exported at once, a letter replaced the
    path. Now it opens on the format, as the submit dialog on the language, with a line of keys."""
    from textual.widgets import Select, Static

    from stt_tui.tui.screens.export import ExportScreen

    stored(home, "talk.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the history")
        app.main.jobs.focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export dialog")
        dialog = app.screen
        path = dialog.query_one("#path", Input).value
        assert dialog.query_one("#format", Select).has_focus
        assert "Ctrl+S: export" in str(dialog.query_one(".hint", Static).render())
        await pilot.press("x")  # a stray letter no longer replaces the path
        assert dialog.query_one("#path", Input).value == path
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="the dialog closed")


async def test_a_profile_without_credentials_says_so_once_before_the_dialog(home, tmp_path, monkeypatch):
    """`s` on marked files (or on a folder) opened the dialog, then one notification said the whole
    "has no credentials" sentence once per file."""
    import shutil

    from stt_tui.settings.config import load_profile
    from stt_tui.shared.paths import resolve_paths
    from stt_tui.tui.main.screen import NOT_READY
    from stt_tui.tui.screens.submit import SubmitScreen
    from tests.support.audio_helpers import clip
    from tests.support.tui_helpers import RecordingApp

    for name in ("YC_API_KEY", "YC_IAM_TOKEN", "YC_SERVICE_ACCOUNT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("a.wav", "b.wav", "c.wav"):
        shutil.copy(clip("ds_arctic_a0024.wav").path, tmp_path / name)
    app = RecordingApp(resolve_paths(home), load_profile("yandex"), tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.main.status.engine == NOT_READY, what="the profile said unready")
        await wait_for(pilot, lambda: app.main.browser.root.children, what="the folder")
        before = len(app.shown)
        app.main.browser.focus()
        await pilot.press("asterisk", "s")
        said = lambda: [m for _, m in app.shown[before:] if "has no credentials" in m]  # noqa: E731
        await wait_for(pilot, said, what="the problem said")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, SubmitScreen)
        assert len(said()) == 1 and said()[0].count("has no credentials") == 1


async def test_notices_are_short_not_repeated_and_wait_while_a_dialog_is_up(home, tmp_path):
    """They stayed 15 s, a repeat stacked over the first, and the app's notices covered the dialog in
    use (the credentials notice hid half the profile dialog)."""
    from stt_tui.tui.screens.export import ExportScreen

    stored(home, "talk.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the history")
        await pilot.pause(0.2)
        app.clear_notifications()
        shown = lambda: [n.message for n in app.notices()]  # noqa: E731
        app.notify("Job #7 is done.", timeout=15)
        app.notify("Job #7 is done.", timeout=15)
        await wait_for(pilot, lambda: shown() == ["Job #7 is done."], what="one notice, not two")
        assert next(iter(app.notices())).timeout <= 6

        app.main.jobs.focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export dialog")
        app.notify("Job #8 failed: no.", severity="error", timeout=30)  # a job ends meanwhile
        app.screen.notify("Give a file name to write to.", severity="warning")  # the dialog's own word
        # Job #8's notice was posted first: by the time the dialog's own is shown, it has been held.
        await wait_for(pilot, lambda: "Give a file name to write to." in shown(), what="the dialog's word")
        assert "Job #8 failed: no." not in shown()
        assert all("Job #8" not in str(t.render()) for t in app.screen.query("Toast"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Job #8 failed: no." in shown(), what="the notice, once it is closed")
        assert max(n.timeout for n in app.notices() if n.severity == "error") <= 12


async def test_the_transcript_footer_says_play_and_the_correction_box_its_own_keys(home, tmp_path):
    """`p` (play) was in no footer; the correction box had no label, and its footer said
    `esc Back  / Search`, which Esc and / do not do there."""
    from textual.widgets import Static
    from textual.widgets._footer import FooterKey

    job_id = stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        await open_transcript(pilot, job_id)
        screen = app.screen

        def footer() -> set[str]:
            return {key.description for key in screen.query(FooterKey) if key.region.height}

        await wait_for(pilot, lambda: "Play" in footer(), what="p in the footer")
        await pilot.press("enter")
        label = screen.query_one("#editor-label", Static)
        await wait_for(pilot, lambda: {"Save", "Cancel"} <= footer(), what="the box's own keys")
        assert "Search" not in footer() and "Back" not in footer()
        assert label.display and str(label.render()).startswith("Correct phrase 1")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Search" in footer() and not label.display, what="the list's keys")
        assert isinstance(app.screen, TranscriptScreen)
