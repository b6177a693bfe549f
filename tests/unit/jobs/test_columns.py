"""The job list's columns are one registry (jobs/columns.py): every entry complete, and every reader of it
(the list's cells and header, the history's sort, the remembered sort) takes every column, so that adding
a column is one place."""

from __future__ import annotations

import time

from textual.app import App, ComposeResult

from stt_tui.history import History
from stt_tui.jobs.columns import BY_KEY, COLUMNS, KEYS, Cell
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.jobs.schedule import LOCAL_POLICY
from stt_tui.settings.preferences import Preferences
from stt_tui.tui import cells
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.job_rows import header_text, layout, row_text
from tests.support.waiting import wait_for


def _history(tmp_path) -> tuple[History, list[int]]:
    history = History(tmp_path / "h.sqlite3")
    ids = [
        history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions()).id
        for name in ("b.wav", "a.wav", "c.wav")
    ]
    history.set_state(ids[1], JobState.FAILED, error="no")
    return history, ids


def test_every_column_is_complete_and_named_once():
    assert len(KEYS) == len(set(KEYS)) == len(BY_KEY) and KEYS[0] == "id"
    assert len({c.header for c in COLUMNS}) == len(COLUMNS)
    for column in COLUMNS:
        assert column.key and column.header and column.width >= 0 and column.sort.strip(), column


def test_every_column_has_a_cell_for_a_job_in_every_state(tmp_path):
    history, ids = _history(tmp_path)
    jobs = history.jobs_by_id(ids).values()
    for job in jobs:
        for column in COLUMNS:
            cell = column.cell(job, time.time(), LOCAL_POLICY)
            assert isinstance(cell, Cell) and isinstance(cell.text, str) and isinstance(cell.style, str)
        assert set(cells.cells(job, time.time(), LOCAL_POLICY)) == set(KEYS)


def test_the_list_draws_every_column_on_a_wide_terminal(tmp_path):
    history, ids = _history(tmp_path)
    columns = layout(400, 3)
    assert [key for key, _, _ in columns] == list(KEYS)
    header = header_text(columns, "id", True, 400).plain
    assert all(column.header in header for column in COLUMNS)
    job = history.jobs_by_id(ids[:1])[ids[0]]
    row = row_text(job, cells.cells(job, time.time(), LOCAL_POLICY), columns, False, 400).plain
    assert "b.wav" in row and "submitting" in row


def test_the_history_sorts_by_every_column_both_ways(tmp_path):
    history, ids = _history(tmp_path)
    for key in KEYS:
        for descending in (False, True):
            assert sorted(history.ordered_ids(key, descending)) == sorted(ids), key


def test_the_preferences_remember_a_sort_by_every_column():
    for key in KEYS:
        assert Preferences(job_sort=key, job_descending=False).job_order() == (key, False)
    assert Preferences(job_sort="no such column").job_order() == ("id", True)


class ListApp(App[None]):
    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        yield JobList(LOCAL_POLICY, time.time)

    def on_mount(self) -> None:
        self.query_one(JobList).attach(self.history)


async def test_the_job_list_sorts_by_every_column(tmp_path):
    history, ids = _history(tmp_path)
    app = ListApp(history)
    async with app.run_test(size=(200, 12)) as pilot:
        table = app.query_one(JobList)
        await wait_for(pilot, lambda: table.row_count == 3, what="the rows")
        for key in KEYS[1:]:  # "id" is the sort it opens with; asking it again would only reverse it
            table.action_sort_by(key)
            assert table.sort_by == key
            expected = history.ordered_ids(key, table.descending)
            await wait_for(pilot, lambda: table.ids == expected, what=f"sorted by {key}")  # noqa: B023
