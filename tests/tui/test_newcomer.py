"""What tripped a newcomer on the second day (issue 33), on the real app through Pilot."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, OptionList

from stt_tui.tui.screens.details import DetailsScreen
from stt_tui.tui.screens.search import SearchScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from tests.support.histories import stored
from tests.support.tui_helpers import make_app, open_transcript, screen_text
from tests.support.waiting import wait_for


def burst(app, *keys: str | events.Paste) -> None:
    """Keys (and text pasted) as the driver hands on one read from the terminal: all queued, none waited
    for."""
    for name in keys:
        if isinstance(name, events.Paste):
            event: events.Event = name
        else:
            character = name if len(name) == 1 else {"space": " ", "enter": "\r", "slash": "/"}.get(name)
            event = events.Key(name, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def one_job_focused(pilot, app):
    """The job list, holding its one job, focused."""
    await wait_for(pilot, lambda: app.service is not None, what="the history")
    jobs = app.main.jobs
    await wait_for(pilot, lambda: jobs.row_count == 1, what="the job")
    jobs.focus()
    return jobs


async def test_a_burst_into_the_search_loses_no_key(home, tmp_path):
    """Ctrl+F, 10×Backspace and `countz` in one read: the box holds `countz` (the Backspaces, run once
    they had bubbled back to the app, ate letters typed after them; the letters typed before the dialog
    was composed went to the list beneath)."""
    app = make_app(home, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        for _ in range(3):
            burst(app, "ctrl+f", *["backspace"] * 10, *"countz")
            await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
            query = app.screen.query_one("#query", Input)
            await wait_for(pilot, lambda q=query: q.value == "countz", timeout=5, what="every key")  # type: ignore[misc]
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen), what="the search closed")


async def test_enter_in_the_search_holds_no_key_when_no_hit_is_coming(home, tmp_path, monkeypatch):
    """Enter on a query whose answer came with nothing, or on an empty box, then a key: no hold is taken
    (one was, and the key waited out the 3 s for hits that were never coming)."""
    from stt_tui.tui.keys_in_order import KeysInOrder

    app = make_app(home, tmp_path)
    held: list[float] = []
    hold_keys = KeysInOrder.hold_keys

    def counted(self: KeysInOrder, at_most: float = 3.0) -> object:
        held.append(at_most)
        return hold_keys(self, at_most)

    monkeypatch.setattr(KeysInOrder, "hold_keys", counted)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        burst(app, "ctrl+f", *"zzz")
        await wait_for(pilot, lambda: "No phrase matches." in screen_text(app), what="the answer: nothing")
        query = app.screen.query_one("#query", Input)
        burst(app, "enter", "x", "backspace", *["backspace"] * 3, "enter", "y")
        await wait_for(pilot, lambda: query.value == "y", what="every key")
        assert held == []


async def test_keys_typed_right_after_enter_in_the_job_list_reach_the_transcript(home, tmp_path, monkeypatch):
    """Enter on a job, then `/there` and `i` in one read: the transcript opens and its search box holds
    `there`. The keys after Enter went to the job list while the transcript was read (`/` opened the
    list's filter, which took the word), and a letter meant for the transcript acted on the job."""
    stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        jobs = await one_job_focused(pilot, app)
        for _ in range(3):
            burst(app, "enter", "slash", *"there")
            await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
            box = app.screen.query_one("#search", Input)
            await wait_for(pilot, lambda b=box: b.value == "there", timeout=5, what="every key")  # type: ignore[misc]
            assert jobs.filter_text == ""  # the list beneath took none of them
            await pilot.press("escape", "escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, TranscriptScreen), what="the list")
        composed: list[DetailsScreen] = []
        compose = DetailsScreen.compose

        def counted(screen: DetailsScreen):
            composed.append(screen)
            return compose(screen)

        monkeypatch.setattr(DetailsScreen, "compose", counted)
        burst(app, "i", "escape")  # the details, and out again: the escape went to the list beneath
        await wait_for(pilot, lambda: composed and app.screen is app.main, what="the details closed by Esc")
        assert len(composed) == 1 and app.focused is jobs
        await pilot.pause()  # the Esc still bubbling back to the app, handled before the app is closed


async def test_keys_typed_right_after_esc_or_slash_reach_what_it_opened(home, tmp_path):
    """`/word`, and Esc closing a dialog or the transcript then `/xyz`, each in one read: the job list's
    filter holds the word. The keys after Esc went into the closing dialog's box, and the first letter
    after `/` to the list, before the filter box it opens had the focus (tui/keys_in_order.py)."""
    job_id = stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        jobs = await one_job_focused(pilot, app)
        burst(app, "slash", *"word")  # the filter box opens on a message: `w` reached the list first
        await wait_for(pilot, lambda: jobs.filter_text == "word", timeout=10, what="every key after /")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: jobs.filter_text == "" and app.focused is jobs, what="the list again")
        burst(app, "slash", events.Paste("pasted"))  # text pasted went to the list, before the box opened
        await wait_for(pilot, lambda: jobs.filter_text == "pasted", timeout=10, what="the paste after /")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: jobs.filter_text == "" and app.focused is jobs, what="the list again")
        burst(app, "ctrl+f", *"ab", "escape", "slash", *"xyz")
        await wait_for(pilot, lambda: jobs.filter_text == "xyz", timeout=10, what="every key after Esc")
        assert app.screen is app.main
        await pilot.press("escape", "escape")  # out of the box, and the filter cleared
        await wait_for(pilot, lambda: jobs.filter_text == "" and app.focused is jobs, what="the list again")
        await open_transcript(pilot, job_id)
        burst(app, "escape", "slash", *"xyz")
        await wait_for(pilot, lambda: jobs.filter_text == "xyz", timeout=10, what="every key after Esc")
        assert app.screen is app.main


async def test_keys_typed_right_after_a_key_whose_screen_a_worker_reads_reach_that_screen(
    home, tmp_path, monkeypatch
):
    """`t Esc`, `R Esc`, `P j Enter`, and Enter on a search before its hits came then `/there`, each in
    one read: the keys after the first reach the screen it opens once a worker has read for it (the
    totals, the submit dialog, the profile picker, the hit's transcript). They went to the screen beneath
    while the worker read: the totals and the dialog stayed open, `j` moved the list, `/there` went on
    into the query (tui/keys_in_order.py `hold_keys`)."""
    from stt_tui.tui.screens.submit import SubmitScreen
    from stt_tui.tui.screens.totals import TotalsScreen

    for name in ("YC_API_KEY", "YC_IAM_TOKEN", "YC_SERVICE_ACCOUNT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "first.wav").write_bytes(b"")  # there to be sent again
    stored(home, "first.wav", tmp_path)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        jobs = await one_job_focused(pilot, app)
        for screen_class, key in ((TotalsScreen, "t"), (SubmitScreen, "R")):
            composed: list[object] = []
            compose = screen_class.compose
            monkeypatch.setattr(screen_class, "compose", lambda s, c=compose, n=composed: n.append(s) or c(s))
            burst(app, key, "escape")
            closed = lambda c=composed: c and app.screen is app.main  # noqa: E731
            await wait_for(pilot, closed, what=f"what {key} opens, opened and closed")
            assert app.focused is jobs

        await wait_for(pilot, lambda: app.service.history.index_counts() == (1, 1), what="the index")
        burst(app, "ctrl+f", *"thanks", "enter", "slash", *"there")
        searched = lambda: isinstance(app.screen, TranscriptScreen) and app.screen.search_text == "there"  # noqa: E731
        await wait_for(pilot, searched, what="the hit's transcript, searched for what was typed after Enter")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="the list again")

        burst(app, "P", "j", "enter")  # the second profile, the cloud's
        await wait_for(pilot, lambda: app.profile.name == "yandex", what="the switch")


async def test_keys_typed_for_a_transcript_that_cannot_open_do_not_act_on_the_list(home, tmp_path, monkeypatch):  # noqa: E501
    """Enter on a job whose stored result is damaged, then `d` and Enter in one read: the sentence says
    why, and the keys meant for the transcript are dropped; given to the list beneath, `d` asked to
    forget the job, and the question took the keys after it."""
    from stt_tui.history.store import History
    from stt_tui.tui.screens.confirm import ConfirmScreen

    job_id = stored(home, "first.wav")
    history = History(home / "history.sqlite3")
    history.store_result(job_id, "{damaged")
    history.close()
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        jobs = await one_job_focused(pilot, app)
        asked: list[ConfirmScreen] = []
        compose = ConfirmScreen.compose

        def counted(screen: ConfirmScreen):
            asked.append(screen)
            return compose(screen)

        monkeypatch.setattr(ConfirmScreen, "compose", counted)
        burst(app, "enter", "d", "enter")
        await wait_for(pilot, lambda: any("damaged" in m for _, m in app.shown), what="the sentence")
        burst(app, "slash", "x")  # typed once the sentence is read: taken after every key before it
        await wait_for(pilot, lambda: jobs.filter_text == "x", what="the keys typed later, in the filter")
        assert asked == [] and app.screen is app.main  # the burst's `d` asked nothing
        assert app.service.job(job_id).id == job_id


async def test_a_screen_read_after_its_keys_went_on_is_not_opened_over_them(home, tmp_path, monkeypatch):
    """Enter on a job whose transcript takes longer to read than keys are held, then `d`: the `d` goes
    on to the list and asks to forget the job; the transcript, read at last, is not opened over that
    question (it covered it, and an Esc left the question for a `y` to answer), and a word says so."""
    import threading

    from stt_tui.service.facade import Service
    from stt_tui.tui.keys_in_order import KeysInOrder
    from stt_tui.tui.screens.confirm import ConfirmScreen

    stored(home, "first.wav")
    read = threading.Event()
    phrases = Service.phrases

    def slow(self: Service, job: object) -> object:
        read.wait(30)
        return phrases(self, job)  # type: ignore[arg-type]

    hold_keys = KeysInOrder.hold_keys
    monkeypatch.setattr(Service, "phrases", slow)
    monkeypatch.setattr(KeysInOrder, "hold_keys", lambda self, at_most=0.2: hold_keys(self, at_most))
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await one_job_focused(pilot, app)
        burst(app, "enter", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="d, gone on to the list")
        read.set()
        late = lambda: any("took more than" in m for _, m in app.shown)  # noqa: E731
        await wait_for(pilot, late, what="the word that the transcript came too late")
        assert isinstance(app.screen, ConfirmScreen)


async def test_a_burst_into_the_correction_box_adds_to_the_phrase(home, tmp_path):
    """Enter, End, ` всё`, Enter in one read: the phrase ends with ` всё` (End went to the list, and the
    box, focused late, selected the phrase for the rest to replace)."""
    job_id = stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_transcript(pilot, job_id)
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("#phrases", OptionList).has_focus, what="the list")
        screen.query_one("#phrases", OptionList).highlighted = 2  # "fine thanks"
        burst(app, "enter", "end", "space", *"всё", "enter")
        await wait_for(pilot, lambda: screen.items[2].edited, what="the correction saved")
        assert screen.items[2].text == "fine thanks всё"
        assert isinstance(app.screen, TranscriptScreen)


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
