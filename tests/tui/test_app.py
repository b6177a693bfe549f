"""The real app through Pilot, on the real embedded engine it starts by itself."""

from __future__ import annotations

import re
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from textual.command import CommandList
from textual.widgets import Checkbox, OptionList, Select

from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.tui.screens.export import ExportScreen
from stt_tui.tui.screens.help import HelpScreen
from stt_tui.tui.screens.submit import SubmitScreen, language_choices
from stt_tui.tui.screens.transcript import TranscriptScreen
from stt_tui.tui.widgets.file_info import FileInfo
from stt_tui.tui.widgets.phrase_rows import utterance_text
from tests.support.audio_helpers import clip, normalize
from tests.support.transcripts import operation_json, parse_srt
from tests.support.tui_helpers import highlight, make_app, row_cells
from tests.support.waiting import wait_for, wait_until

SHORT = clip("ds_arctic_a0024.wav")  # "It was my reports from the north which chiefly induced people to buy."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder to browse: a subfolder with the speech clip, a text file and a note in disguise."""
    talks = tmp_path / "browse" / "talks"
    talks.mkdir(parents=True)
    shutil.copy(SHORT.path, talks / SHORT.path.name)
    (tmp_path / "browse" / "notes.txt").write_text("not audio")
    (talks / "broken.mp3").write_text("this is text, not MP3\n" * 50)
    return tmp_path / "browse"


def three_channel_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(3)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(16000 * 3, dtype="<i2").tobytes())
    return path


async def test_browse_submit_read_search_export(home, folder):
    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await highlight(pilot, app, SHORT.path.name)
        info = app.main.query_one(FileInfo)
        await wait_for(pilot, lambda: info.facts and info.facts.verdict, what="the probe")
        assert info.facts.probe.channels == 1 and info.facts.verdict.ready
        await wait_for(pilot, lambda: info.levels, what="the loudness envelope")
        assert max(info.levels[0]) > 0.5  # speech is loud somewhere

        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the new row")
        job_id = next(iter(app.main.jobs.jobs))
        await wait_for(
            pilot, lambda: app.main.jobs.jobs[job_id].state == JobState.DONE, timeout=120, what="done"
        )
        row = row_cells(app.main.jobs, job_id)
        assert row["state"] == "done" and "saved" in row["retention"]
        # One summary line for the batch on the status line; a job done needs no notification.
        status = app.main.query_one("StatusLine")
        assert status.summary == "1 submitted · 1 done"
        assert not any("is done" in message for _, message in app.shown)

        app.main.jobs.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        screen = app.screen
        text = normalize(" ".join(u.text for u in screen.items))
        # "reports" as spoken; decoder builds differ on the plural (ctranslate2 4.8.5 hears "report").
        assert re.search(r"\breports? from the north\b", text), text

        await pilot.press("slash", *"NORTH", "enter")
        phrases = screen.query_one(OptionList)
        assert phrases.highlighted == 0 and "north" in screen.items[0].text.lower()
        # Enter left the box for the phrases: `n` goes to the next match instead of into the query.
        await pilot.press("n")
        assert screen.query_one("#search").value == "NORTH" and screen.search_text == "NORTH"
        assert phrases.has_focus and isinstance(app.screen, TranscriptScreen)

        await pilot.press("y")
        assert "north" in app.clipboard.lower()

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export dialog")
        target = folder / "talks" / "ds_arctic_a0024.srt"
        await pilot.press("ctrl+s")  # srt is the default format
        await wait_for(pilot, target.exists, what="the SRT file")
        cues = parse_srt(target.read_text())
        assert normalize(" ".join(c[3] for c in cues)) == text
        assert [c[0] for c in cues] == list(range(1, len(cues) + 1))
        assert all(c[1] < c[2] for c in cues)


async def test_bad_files_get_one_sentence_and_the_app_keeps_going(home, folder):
    three_channel_wav(folder / "talks" / "three.wav")
    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        info = app.main.query_one(FileInfo)

        await highlight(pilot, app, "broken.mp3")
        await wait_for(pilot, lambda: info.facts and info.facts.error, what="the probe error")
        assert info.facts.error == "broken.mp3 is not a readable MP3 file (can't sync to MPEG frame)."

        await highlight(pilot, app, "three.wav")
        await wait_for(pilot, lambda: info.facts and info.facts.verdict, what="the verdict")
        assert info.facts.verdict.reasons == ["It has 3 channels; the service takes at most 2."]
        await pilot.press("s", "ctrl+s")
        await wait_for(pilot, lambda: any(s == "error" for s, _ in app.shown), what="the error notification")
        errors = [m for s, m in app.shown if s == "error"]
        assert errors == ["three.wav cannot be sent: It has 3 channels; the service takes at most 2."]
        assert app.main.jobs.row_count == 0  # refused before a row was written
        assert app.is_running

        # The browser still works, and shows only media unless asked.
        names = lambda: {c.data.path.name for c in app.main.browser.root.children}  # noqa: E731
        assert names() == {"talks"}
        await pilot.press("a")
        await wait_for(pilot, lambda: "notes.txt" in names(), what="every file")


async def test_history_is_shown_at_start_and_kept_fresh_in_place(home, folder):
    history = History(home / "history.sqlite3")
    done = history.add_submitting(profile="local", file_path="/audio/old.wav", options=RequestOptions())
    history.mark_submitted(done.id, "opdone0000000000000a", 1000.0, 1001.0)
    history.store_result(done.id, operation_json())
    other = history.add_submitting(profile="local", file_path="/audio/other.wav", options=RequestOptions())
    history.set_state(other.id, JobState.FAILED, error="The service refused it.")

    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.main.jobs.row_count == 2, what="the history")
        table = app.main.jobs

        # Another process (here: another connection) adds and forgets jobs; the rows follow.
        third = history.add_submitting(profile="local", file_path="/audio/new.wav", options=RequestOptions())
        await wait_for(pilot, lambda: table.row_count == 3, what="the added row")
        assert table.ids.index(third.id) == 0  # newest first
        history.forget(other.id)
        await wait_for(pilot, lambda: table.row_count == 2, what="the forgotten row to go")
        history.set_state(third.id, JobState.CANCELLED)
        await wait_for(pilot, lambda: row_cells(table, third.id)["state"] == "cancelled", what="the update")

        # Filter and sort.
        await pilot.press("tab")
        assert table.has_focus
        await pilot.press("slash", *"old")
        await wait_for(pilot, lambda: table.row_count == 1, what="the filter")
        await pilot.press("enter")
        assert table.has_focus
        app.main.query_one("#job-filter").value = ""
        await wait_for(pilot, lambda: table.row_count == 2, what="the filter to clear")
        await pilot.press("O")  # reversed: oldest first
        await wait_for(pilot, lambda: table.ids.index(done.id) == 0, what="the reversed order")
        assert table.sort_by == "id" and not table.descending

        # The transcript of a stored result, with two channels merged and then one by one.
        table.cursor = table.ids.index(done.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        screen = app.screen
        assert [u.channel for u in screen.shown()] == [1, 2, 1, 2]
        assert screen.view_text().startswith("Channel 1: hello there\nChannel 2: hi how are you\n")
        await pilot.press("c")
        assert screen.view_text() == "hello there\nfine thanks\n"
        await pilot.press("w")
        first = utterance_text(screen.shown()[0], labelled=False, words=True, query="")
        assert screen.words and "hello@0.5" in first.plain
        await pilot.press("q")  # back, not quit
        assert app.screen is app.main

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.press("escape")
        assert app.screen is app.main

        # The command palette reaches the same actions by name.
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette", what="the palette")
        await pilot.press(*"sort jobs")

        def found() -> bool:
            """The palette's best hit, the one Enter runs, sorts the jobs (hits come in as they are found):
            the list's `Sort`, the next column after the number being the state, or the sort by state."""
            commands = app.screen.query_one(CommandList)
            index = commands.highlighted
            prompt = "" if index is None else str(commands.get_option_at_index(index).prompt).lower()
            return prompt.startswith("sort (jobs)") or ("sort by" in prompt and "state" in prompt)

        await wait_for(pilot, found, what="the palette's search to answer")
        await pilot.press("enter")
        await wait_for(pilot, lambda: table.sort_by == "state", what="the palette's sort")

    # The sort order is remembered for the next run.
    again = make_app(home, folder)
    async with again.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: again.main.jobs.row_count == 2, what="the history")
        assert again.main.jobs.sort_by == "state"


async def test_submit_choices_are_remembered(home, folder):
    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await highlight(pilot, app, SHORT.path.name)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        dialog = app.screen
        dialog.query_one("#literature_text", Checkbox).value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the row")
        job = next(iter(app.main.jobs.jobs.values()))
        assert job.options.literature_text
        await pilot.press("q")
    assert app.return_code == 0
    assert not [w for w in app.workers if w.is_running]

    again = make_app(home, folder)
    async with again.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: again.service is not None, what="the history")
        await highlight(pilot, again, SHORT.path.name)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(again.screen, SubmitScreen), what="the submit dialog")
        assert again.screen.options() == RequestOptions(language="en-US", literature_text=True)
        await pilot.press("escape")
        # The job the first run left running is polled by this one.
        await wait_for(
            pilot,
            lambda: all(j.state == JobState.DONE for j in again.main.jobs.jobs.values()),
            timeout=120,
            what="the job from the last run to finish",
        )


async def test_the_submit_dialog_starts_at_the_language_and_enter_does_not_send(home, folder):
    app = make_app(home, folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await highlight(pilot, app, SHORT.path.name)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        dialog = app.screen
        language = dialog.query_one("#language", Select)
        assert app.focused is language and language.value == "en-US"
        assert "en-US  English" in str(language.query_one("SelectCurrent #label").render())
        await pilot.press("enter")  # opens the list: nothing is sent
        await wait_for(pilot, lambda: language.expanded, what="the language list")
        await pilot.press("a", "u", "t", "o", "enter")  # typed to find
        await wait_for(pilot, lambda: language.value == "auto", what="auto chosen")
        assert isinstance(app.screen, SubmitScreen) and app.main.jobs.row_count == 0
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the row")
        (job,) = app.main.jobs.jobs.values()
        assert job.options.language == "auto"
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the dialog again")
        # One key from the top of the list: auto is its first entry.
        assert app.screen.query_one("#language", Select).value == "auto"  # remembered
        options = [prompt for prompt, _ in language_choices("en-US")]
        assert options[0] == "auto  detect the language" and len(options) == len(set(options))


def test_no_color_is_respected(monkeypatch, home, folder):
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_app(home, folder).no_color
    monkeypatch.delenv("NO_COLOR")
    assert not make_app(home, folder).no_color


async def test_quitting_during_a_conversion_leaves_nothing_half_done(home, folder):
    long_wav = folder / "talks" / "long-44k.wav"
    rate, seconds = 44100, 900  # 15 minutes at 44.1 kHz: converted to Opus, which takes a while
    t = np.arange(rate * 10) / rate
    ten_seconds = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes()
    with wave.open(str(long_wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        for _ in range(seconds // 10):
            w.writeframes(ten_seconds)

    app = make_app(home, folder)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await highlight(pilot, app, long_wav.name)
        await pilot.press("s", "ctrl+s")
        activity = app.main.query_one("#activity")
        await wait_for(pilot, lambda: "Converting" in activity.label, what="the conversion to start")
        assert activity.display and 0 <= activity.fraction < 1
        await pilot.press("q")
    assert app.return_code == 0

    history = History(home / "history.sqlite3")
    # The worker thread stops at its next progress report.
    wait_until(lambda: history.jobs()[0].state != JobState.SUBMITTING, 15, "the worker to stop", every=0.05)
    (job,) = history.jobs()
    assert job.state == JobState.FAILED and job.last_error == "Interrupted while preparing the audio."
    assert not list((home / "outbox").glob("*.part"))
