"""The transcript side of the TUI (Pilot): a search across every transcript that opens one at the phrase,
a phrase corrected in place and undone, a channel named."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, OptionList

from stt_tui.history import History
from stt_tui.jobs.model import RequestOptions
from stt_tui.tui.screens.search import SearchScreen
from stt_tui.tui.screens.transcript import TranscriptScreen

from .homes import stop_engine
from .test_export import operation_json
from .tui_helpers import make_app, wait_for


@pytest.fixture
def home(short_tmp: Path) -> Iterator[Path]:
    yield short_tmp / "home"
    stop_engine(short_tmp / "home")


def shown(options: OptionList, index: int) -> str:
    """An entry of a list as it reads on screen."""
    console = Console(record=True, width=100, file=io.StringIO())
    console.print(options.get_option_at_index(index).prompt)
    return console.export_text()


def stored(home: Path, name: str) -> int:
    """A done job with a stored result, as an older stt-tui left it: not in the search index yet."""
    history = History(home / "history.sqlite3")
    try:
        job = history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions())
        history.mark_submitted(job.id, f"op{job.id:018d}", time.time(), time.time())
        history.store_result(job.id, operation_json())
        return job.id
    finally:
        history.close()


async def test_search_opens_the_transcript_at_the_phrase_which_is_corrected_and_named(home, tmp_path):
    first = stored(home, "first.wav")
    stored(home, "second.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        indexed = lambda: app.service.history.index_counts() == (2, 2)  # noqa: E731
        await wait_for(pilot, indexed, what="the index built in the background")
        await wait_for(pilot, lambda: not app.main.status.indexing, what="the status line to say it is done")

        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        search = app.screen
        await pilot.press(*"THANKS")
        await wait_for(pilot, lambda: len(search.hits) == 2, what="a hit in each job")
        assert {h.file_path for h in search.hits} == {"/audio/first.wav", "/audio/second.wav"}
        hits = search.query_one("#hits", OptionList)
        for _ in range(2):
            if search.hits[hits.highlighted or 0].job_id == first:
                break
            hits.highlighted = (hits.highlighted or 0) + 1
        entry = shown(hits, hits.highlighted or 0)
        assert "00:00:06 ch1" in entry and "fine thanks" in entry
        await pilot.press("enter", "enter")  # to the hits, then open the one highlighted
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        screen = app.screen
        phrases = screen.query_one("#phrases", OptionList)
        assert screen.job.id == first and phrases.highlighted == 2  # at the phrase: "fine thanks"

        await pilot.press("enter")  # edit the phrase in place
        editor = screen.query_one("#editor", Input)
        await wait_for(pilot, lambda: editor.display and editor.has_focus, what="the editor")
        assert editor.value == "fine thanks"
        editor.value = "fine, thank you"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.items[2].edited, what="the correction saved")
        assert screen.items[2].text == "fine, thank you" and "✎" in shown(phrases, 2)
        assert app.service.export(screen.job, "txt").splitlines()[2] == "Channel 1: fine, thank you"

        await pilot.press("a")  # a name for the phrase's channel
        await wait_for(pilot, lambda: editor.display, what="the name editor")
        editor.value = "Anna"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.items[0].who == "Anna", what="the name")
        assert "Anna" in shown(phrases, 0)

        await pilot.press("u")  # the phrase as recognized again
        await wait_for(pilot, lambda: not screen.items[2].edited, what="the correction undone")
        assert screen.items[2].text == "fine thanks"
        assert app.service.history.edits(first).corrections == {}
