"""Keys typed ahead, in one read from the terminal (tmux, SSH): each reaches what the keys before it opened
(tui/keys_in_order.py; issue 33 item 1), on the real app through Pilot."""

from __future__ import annotations

import pytest
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


def composed(monkeypatch, screen_class: type) -> list[object]:
    """The screens of this class composed from now on, in order (each opening of it)."""
    seen: list[object] = []
    compose = screen_class.compose

    def counted(screen: object):
        seen.append(screen)
        return compose(screen)

    monkeypatch.setattr(screen_class, "compose", counted)
    return seen


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


async def test_enter_on_a_text_typed_again_waits_for_its_best_hits(home, tmp_path, monkeypatch):
    """`there` searched, its `e` taken back (the newest hits of `ther` shown, its ranking slow), `e` and
    Enter typed: the best hit of `there` opens once it comes. The ranked answer of the first `there` was
    taken for this one's, so Enter waited for nothing and nothing opened."""
    import threading

    from stt_tui.service.facade import Service

    stored(home, "first.wav")
    ranking, again = threading.Event(), threading.Event()
    ranking.set()
    search = Service.search
    asked: list[str] = []

    def gated(self: Service, text: str, limit: int = 50, *, ranked: bool = True) -> object:
        asked.append(text)
        if text == "there" and asked.count("there") > 2:  # the second `there`: once Enter was taken
            again.wait(30)
        elif ranked:
            ranking.wait(30)
        return search(self, text, limit, ranked=ranked)

    monkeypatch.setattr(Service, "search", gated)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await wait_for(pilot, lambda: app.service.history.index_counts() == (1, 1), what="the index")
        burst(app, "ctrl+f", *"there")
        await wait_for(pilot, lambda: "best first" in screen_text(app), what="the best hits of there")
        ranking.clear()
        burst(app, "backspace")
        await wait_for(pilot, lambda: app.screen._hits_for == "ther", what="the newest hits of ther")
        burst(app, "e", "enter")
        taken = lambda: app._key_on_its_way is None and not app._keys_waiting  # noqa: E731
        await wait_for(pilot, taken, what="Enter taken")
        again.set()
        ranking.set()
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the best hit opened")


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
        details = composed(monkeypatch, DetailsScreen)
        burst(app, "i", "escape")  # the details, and out again: the escape went to the list beneath
        await wait_for(pilot, lambda: details and app.screen is app.main, what="the details closed by Esc")
        assert len(details) == 1 and app.focused is jobs
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
            opened = composed(monkeypatch, screen_class)
            burst(app, key, "escape")
            closed = lambda o=opened: o and app.screen is app.main  # noqa: E731
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
        asked = composed(monkeypatch, ConfirmScreen)
        burst(app, "enter", "d", "enter")
        await wait_for(pilot, lambda: any("damaged" in m for _, m in app.shown), what="the sentence")
        burst(app, "slash", "x")  # typed once the sentence is read: taken after every key before it
        await wait_for(pilot, lambda: jobs.filter_text == "x", what="the keys typed later, in the filter")
        assert asked == [] and app.screen is app.main  # the burst's `d` asked nothing
        assert app.service.job(job_id).id == job_id
        await pilot.press("escape", "escape", "i")  # out of the filter; its details say what is stored
        await wait_for(pilot, lambda: "It is damaged (not JSON)" in screen_text(app), what="the details")


@pytest.mark.parametrize("typed", ["in the burst", "once the hold ran out"])
async def test_a_screen_read_after_its_keys_went_on_is_not_opened_over_them(
    home, tmp_path, monkeypatch, typed
):
    """Enter on a job whose transcript takes longer to read than keys are held, then `d` (in the same
    read, or typed once the hold has run out): the `d` goes on to the list and asks to forget the job; the
    transcript, read at last, is not opened over that question (it covered it, and an Esc left the
    question for a `y` to answer), and a word says so."""
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
    taken: list[KeysInOrder] = []

    def short(self: KeysInOrder, at_most: float = 0.2) -> object:
        taken.append(self)
        return hold_keys(self, 0.2)

    monkeypatch.setattr(KeysInOrder, "hold_keys", short)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await one_job_focused(pilot, app)
        if typed == "in the burst":
            burst(app, "enter", "d")
        else:
            burst(app, "enter")
            await wait_for(pilot, lambda: taken and not app._holds, what="the hold taken and run out")
            burst(app, "d")
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
