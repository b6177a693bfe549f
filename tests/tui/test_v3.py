"""The app on an API v3 profile: the dialog offers what v3 can do, and the transcript shows the language
each phrase was recognized as."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

from rich.console import Console
from textual.widgets import Checkbox, Input, Select

from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.settings.config import load_profile
from stt_tui.shared.paths import resolve_paths
from stt_tui.tui.screens.submit import SubmitScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from stt_tui.tui.widgets.phrase_rows import utterance_row
from tests.support.audio_helpers import clip
from tests.support.tui_helpers import RecordingApp, highlight
from tests.support.waiting import wait_for

RU = clip("ds_ru.wav")


def app_on(home: Path, folder: Path, api: str) -> RecordingApp:
    return RecordingApp(resolve_paths(home), dataclasses.replace(load_profile(None), api=api), folder)


async def test_the_v3_dialog_and_the_language_of_each_phrase(home, tmp_path):
    folder = tmp_path / "talks"
    folder.mkdir()
    shutil.copy(RU.path, folder / RU.path.name)
    app = app_on(home, folder, "v3")
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await highlight(pilot, app, RU.path.name)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        dialog = app.screen
        among = dialog.query_one("#languages-field")
        assert not among.display  # the list is for auto only
        dialog.query_one("#language", Select).value = "auto"
        await pilot.pause()
        assert among.display
        dialog.query_one("#languages", Input).value = "en-US, ru-RU"
        assert not dialog.query_one("#speaker_labeling", Checkbox).value
        assert dialog.query_one("#phone_formatting", Checkbox).value
        assert dialog.options() == RequestOptions(language="auto", languages=("en-US", "ru-RU"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the row")
        await wait_for(
            pilot,
            lambda: all(j.state == JobState.DONE for j in app.main.jobs.jobs.values()),
            timeout=120,
            what="the job to finish",
        )
        (job,) = app.main.jobs.jobs.values()
        assert job.api == "v3" and job.options.languages == ("en-US", "ru-RU")
        app.main.jobs.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        items = app.screen.items
        assert items and {u.language for u in items} == {"ru-RU"}
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(utterance_row(items[0], labelled=False, words=False, query=""))
        assert "ru-RU" in console.export_text().splitlines()[0]
        await pilot.press("escape", "q")

    v2 = app_on(home, folder, "v2")
    async with v2.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: v2.service is not None, what="the history")
        await highlight(pilot, v2, RU.path.name)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(v2.screen, SubmitScreen), what="the submit dialog")
        assert not v2.screen.query("#speaker_labeling") and not v2.screen.query("#languages")
        await pilot.press("escape", "q")
