"""A name recognized by voice in the transcript screen (Pilot; the jobs made by the real CLI and engine):
marked as such, and taken with `a` then Enter, after which it is a name the person gave."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from stt_tui.tui.screens.transcript import TranscriptScreen
from tests.support.tui_helpers import make_app, shown
from tests.support.voices import configure, names, ok, submit, voices
from tests.support.waiting import wait_for


async def test_a_name_recognized_by_voice_is_shown_so_and_taken_with_one_key(home, tmp_path):
    configure(home)
    first = submit(home, tmp_path, "first", "spk1", "spk2")
    ok(home, "name", str(first), "1", "Anna")
    second = submit(home, tmp_path, "second", "librivox", "spk1 later")
    assert names(home, second)[2] == ("Anna", True)

    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        service = app.service
        job = service.job(second)
        app.push_screen(TranscriptScreen(job, service.phrases(job), service))
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        screen = app.screen
        await wait_for(pilot, lambda: screen.query("#phrases"), what="the screen mounted")
        phrases = screen.query_one("#phrases", OptionList)
        at = next(n for n, u in enumerate(screen.items) if u.channel == 2)
        await wait_for(pilot, lambda: phrases.option_count == len(screen.items), what="the phrases")
        assert "Anna (by voice)" in shown(phrases, at)
        phrases.highlighted = at
        await pilot.press("a")
        editor = screen.query_one("#editor", Input)
        await wait_for(pilot, lambda: editor.display and editor.has_focus, what="the name editor")
        assert editor.value == "Anna"  # offered: Enter takes it
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.items[at].by_voice, what="the name taken")
        assert screen.items[at].who == "Anna" and "(by voice)" not in shown(phrases, at)
        await pilot.press("escape", "q")
    assert voices(home) == {"Anna": ([first, second], [])}
