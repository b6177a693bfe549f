"""Folders in the file browser (Pilot, real engine): mark all, submit a folder, markers, asking before
audio goes twice, the filter, following the disk, and a watch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Select

from stt_tui.history import History
from stt_tui.jobs.model import RequestOptions
from stt_tui.service import AudioStatus, Seen
from stt_tui.tui.screens.pattern import PatternScreen
from stt_tui.tui.screens.same_audio import SameAudioScreen
from stt_tui.tui.screens.submit import SubmitScreen
from stt_tui.tui.widgets.status_line import StatusLine
from tests.support.audio_helpers import SPOKEN, variant
from tests.support.tui_helpers import make_app
from tests.support.waiting import wait_for


def names(browser) -> list[str]:
    return [node.data.path.name for node in browser.root.children if node.data is not None]


async def test_mark_all_submit_a_folder_of_ten_then_it_is_not_sent_twice(home, tmp_path):
    folder = tmp_path / "card"
    for n in range(8):
        variant(folder / f"take{n}.wav", 100 + n)
    (folder / "broken.wav").write_text("not audio\n")
    (folder / "song.mp3").write_text("la la la\n" * 40)
    app = make_app(home, folder)
    async with app.run_test(size=(120, 36)) as pilot:
        browser, status = app.main.browser, app.main.query_one(StatusLine)
        await wait_for(pilot, lambda: app.service and len(names(browser)) == 10, what="the folder")
        browser.focus()
        await pilot.press("asterisk")  # every audio file of the folder, by its name
        await wait_for(pilot, lambda: len(browser.marked) == 10, what="the marks")
        await wait_for(pilot, lambda: status.marked_seconds is not None, what="their audio time")
        assert status.marked_seconds == pytest.approx(8 * SPOKEN.seconds, abs=1.0)
        assert "10 marked (" in str(status.render())
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.jobs.total == 8, timeout=60, what="eight jobs")
        await wait_for(pilot, lambda: [m for _, m in app.shown if "broken.wav" in m], what="the summary")
        refused = [m for _, m in app.shown if "broken.wav" in m]
        assert len(refused) == 1 and "song.mp3" in refused[0]  # both named in one notification
        assert status.summary.startswith("8 submitted · 2 refused")
        assert not browser.marked

        def done(language: str = "en-US") -> int:
            return sum(1 for marks in browser.seen.values() if AudioStatus(Seen.DONE, language) in marks)

        def label(n: int) -> str:
            return str(browser.render_label(browser.root.children[n], *([browser.rich_style] * 2)))

        await wait_for(pilot, lambda: done() == 8, timeout=180, what="eight ✓ markers")
        assert label(2).endswith("✓ en-US")

        browser.cursor_line = 0  # the folder itself: s sends its audio files
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        assert app.screen.folder == folder
        await wait_for(pilot, lambda: "10 files here" in str(app.screen.query_one("#file-list").render()))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SameAudioScreen), what="the question")
        asked = str(app.screen.query_one("#same-audio-list").render())
        assert "8 of 10 files hold audio sent before" in asked
        await pilot.press("s")  # skip them
        await wait_for(pilot, lambda: "8 skipped" in status.summary, timeout=60, what="the skipped count")
        assert app.main.jobs.total == 8

        # The same audio in another language is other work: sent without a question, and marked so.
        browser.cursor_line = 3  # take0.wav: the root is line 0
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        app.screen.query_one("#language", Select).value = "ru-RU"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.jobs.total == 9, timeout=60, what="a ninth job")
        assert not isinstance(app.screen, SameAudioScreen)
        await wait_for(pilot, lambda: done("ru-RU") == 1, timeout=120, what="the ru-RU marker")
        assert label(2).endswith("✓ en-US ✓ ru-RU") and done() == 8


async def test_filter_follow_the_disk_and_watch_the_folder(home, tmp_path):
    folder = tmp_path / "drop"
    variant(folder / "ep1.wav", 120)
    variant(folder / "talk.wav", 121)
    app = make_app(home, folder)
    async with app.run_test(size=(120, 36)) as pilot:
        browser = app.main.browser
        await wait_for(pilot, lambda: app.service is not None and len(names(browser)) == 2, what="the folder")
        browser.focus()
        await pilot.press("slash")
        await pilot.press("e", "p")
        await wait_for(pilot, lambda: names(browser) == ["ep1.wav"], what="the filter")
        await pilot.press("enter", "escape")  # back in the tree; Esc there clears the filter
        await wait_for(pilot, lambda: names(browser) == ["ep1.wav", "talk.wav"], what="all again")

        await pilot.press("plus")
        await wait_for(pilot, lambda: isinstance(app.screen, PatternScreen), what="the pattern")
        await pilot.press("e", "p", "*", "enter")
        await wait_for(pilot, lambda: browser.marked == {folder / "ep1.wav"}, what="ep1.wav marked")
        await pilot.press("u")
        assert not browser.marked

        (folder / "new folder").mkdir()  # no key pressed: the tree follows the disk
        await wait_for(pilot, lambda: "new folder" in names(browser), what="the new folder")

        browser.cursor_line = 0
        await pilot.press("w")
        await wait_for(pilot, lambda: browser.watching == folder, what="the watch")
        assert "watching" in str(browser.border_subtitle)
        variant(folder / "dropped.wav", 122)

        def files() -> set[str]:
            history = History(home / "history.sqlite3")
            try:
                return {Path(j.file_path).name for j in history.jobs()}
            finally:
                history.close()

        everything = {"ep1.wav", "talk.wav", "dropped.wav"}  # those there before it too
        await wait_for(pilot, lambda: files() == everything, timeout=60, what="the files sent")
        await wait_for(pilot, lambda: app.main.jobs.total == 3, what="the jobs listed")
        # Nothing is sent twice. A file dropped now settles after every file before it: once it is sent
        # and the watch has ended (its last look finished), any second send would have been made.
        variant(folder / "last.wav", 123)
        await wait_for(pilot, lambda: "last.wav" in files(), timeout=60, what="the last file sent")
        await pilot.press("w")
        await wait_for(pilot, lambda: browser.watching is None, what="the watch to stop")
        ended = lambda: all(w.is_finished for w in app.workers if w.group == "watch")  # noqa: E731
        await wait_for(pilot, ended, what="the watch's last look")
        history = History(home / "history.sqlite3")
        try:  # by name, one job each: a file sent twice would be here twice
            assert sorted(Path(j.file_path).name for j in history.jobs()) == sorted(everything | {"last.wav"})
        finally:
            history.close()
        await wait_for(pilot, lambda: app.main.jobs.total == 4, what="the last job listed")
        assert app.main.jobs.total == 3 + 1


async def test_names_that_are_not_utf8_or_hold_controls_are_shown_escaped(home, tmp_path):
    from tests.support.tui_helpers import screen_text

    folder = tmp_path / "card"
    bad = variant(folder / "a\udcff\udcfe.wav", 130)  # the bytes 0xff 0xfe, as os.listdir gives them
    variant(folder / "nl\n\x1b[31mred.wav", 131)
    history = History(home / "history.sqlite3")
    history.add_submitting(profile="local", file_path=str(bad), options=RequestOptions())
    history.close()
    app = make_app(home, folder)
    async with app.run_test(size=(120, 36)) as pilot:
        browser = app.main.browser
        await wait_for(pilot, lambda: app.service is not None and len(names(browser)) == 2, what="the folder")
        listed = lambda: "submitting a\\xff\\xfe.wav" in screen_text(app)  # noqa: E731
        await wait_for(pilot, listed, what="its job, listed")
        browser.focus()
        for _ in range(2):  # the file information of each, under the cursor
            await pilot.press("down")
            await pilot.pause()
            shown = screen_text(app)
            assert not re.search("[\ud800-\udfff\x00-\x09\x0b-\x1f]", shown)
        assert "a\\xff\\xfe.wav" in shown and "nl\\n\\x1b[31mred.wav" in shown


async def test_a_notification_quoting_such_a_name_shows_it_escaped(home, tmp_path, monkeypatch):
    from textual.app import App

    reached: list[str] = []  # what reaches Textual's toasts, below the app's own notify
    textual_notify = App.notify

    def notify(self, message, **kw):
        reached.append(message)
        textual_notify(self, message, **kw)

    monkeypatch.setattr(App, "notify", notify)
    folder = tmp_path / "no\udcffaudio\x1b[2J"
    folder.mkdir()
    (folder / "notes.txt").write_text("not audio\n")
    app = make_app(home, folder)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        app.main.browser.focus()
        await pilot.press("asterisk")  # nothing to mark: a notification names the folder
        await wait_for(pilot, lambda: any("No audio files" in m for m in reached), what="the notification")
    (said,) = [m for m in reached if "No audio files" in m]
    assert "no\\xffaudio\\x1b[2J" in said and not re.search("[\ud800-\udfff\x00-\x1f]", said)
