"""The job list as a view over the history: SQL order and filter, rows read by window, the cursor's rules."""

from __future__ import annotations

import threading
import time

from textual.app import App, ComposeResult

from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.jobs.schedule import LOCAL_POLICY
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.job_rows import column_at, layout
from stt_tui.tui.widgets.job_window import HEAD
from tests.support.histories import sql_on
from tests.support.waiting import wait_for


def fill(history: History, names: list[str]) -> list[int]:
    ids = []
    for name in names:
        job = history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions())
        ids.append(job.id)
    return ids


def test_the_history_orders_and_filters_in_sql(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    a, b, c = fill(history, ["b-talk.wav", "a-call.wav", "c-note.wav"])
    history.set_state(b, JobState.FAILED, error="no")
    assert history.ordered_ids("id", True) == [c, b, a]
    assert history.ordered_ids("id", False) == [a, b, c]
    assert history.ordered_ids("file", False) == [b, a, c]  # by the file's name, not its folder
    assert history.ordered_ids("state", False) == [c, a, b]  # submitting before failed; ties newest first
    assert history.ordered_ids("id", True, "failed") == [b]
    assert history.ordered_ids("id", True, "TALK wav") == [a]  # every word, any case
    assert history.ordered_ids("id", True, "100%_") == []  # LIKE's wildcards are taken literally
    assert set(history.jobs_by_id([a, c, 999])) == {a, c}


def test_columns_fit_the_width_without_a_horizontal_scrollbar():
    for width in (40, 60, 80, 120, 200, 250):
        columns = layout(width, 6)
        total = sum(w for _, _, w in columns) + len(columns) - 1
        assert total <= max(width, 50), (width, columns)
        assert [k for k, _, _ in columns][:5] == ["id", "state", "file", "language", "retention"]
    assert len(layout(200, 6)) == 9 and dict((k, w) for k, _, w in layout(200, 6))["file"] > 60
    assert "submitted" not in [k for k, _, _ in layout(80, 6)]  # the least needed go first when narrow


class ListApp(App[None]):
    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        yield JobList(LOCAL_POLICY, time.time)

    def on_mount(self) -> None:
        table = self.query_one(JobList)
        table.attach(self.history)
        table.focus()


async def test_new_rows_stay_in_view_unless_the_user_moved_away(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    fill(history, [f"old-{n}.wav" for n in range(50)])
    app = ListApp(history)
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(JobList)
        await wait_for(pilot, lambda: table.row_count == 50, what="the rows")
        (new,) = fill(history, ["new.wav"])
        table.apply(history.jobs_by_id([new]).values(), [])
        await wait_for(pilot, lambda: table.row_count == 51, what="the new row")
        assert table.cursor == 0 and table.current_job().id == new  # at the top: the newest is in view
        await pilot.press("j", "j", "j")
        held = table.current_job().id
        (newer,) = fill(history, ["newer.wav"])
        table.apply(history.jobs_by_id([newer]).values(), [])
        await wait_for(pilot, lambda: table.row_count == 52, what="another row")
        assert table.current_job().id == held  # moved away on purpose: the cursor keeps its job
        await pilot.press("G")
        assert table.cursor == 51 and table.scroll_offset.x == 0  # End is the last row, not sideways
        await pilot.press("g")
        assert table.cursor == 0 and table.scroll_offset.y == 0
        await pilot.press("ctrl+d")
        assert table.cursor > 0


async def test_a_hundred_thousand_ids_but_only_the_rows_on_screen_are_read(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    with sql_on(tmp_path / "h.sqlite3") as db:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO jobs (profile, state, file_path, options, created_at) "
            "VALUES ('local', 'failed', ?, '{}', 0)",
            [(f"/audio/{n:06d}.wav",) for n in range(100_000)],
        )
        db.execute("COMMIT")
    app = ListApp(history)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(JobList)
        await wait_for(pilot, lambda: table.row_count == 100_000, timeout=60, what="the ids")
        # One read of rows follows the ids: the screenful, once it is in, is all there is.
        await wait_for(pilot, lambda: table.jobs, what="the rows on screen")
        assert len(table.jobs) < 100  # the rows on screen, not the history
        await pilot.press("G")
        last = lambda: (job := table.current_job()) is not None and job.file_path == "/audio/000000.wav"  # noqa: E731
        await wait_for(pilot, last, what="the last row")
        assert table.current_job().file_path == "/audio/000000.wav"
        assert len(table.jobs) < 200


class GatedHistory:
    """The history, its whole order held back until `gate` opens: the moment between a big list's
    first screenful and its whole order, made to last."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.gate = threading.Event()

    def ordered_ids(self, sort: str, descending: bool, query: str = "", limit: int = -1) -> list[int]:
        if limit < 0:
            self.gate.wait(30)
        return self.history.ordered_ids(sort, descending, query, limit)

    def jobs_by_id(self, ids):
        return self.history.jobs_by_id(ids)

    def count(self) -> int:
        return self.history.count()


async def test_keys_meaning_the_whole_list_wait_for_its_whole_order(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    ids = fill(history, [f"talk-{n}.wav" for n in range(HEAD + 50)])
    source = GatedHistory(history)
    app = ListApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(JobList)
        await wait_for(pilot, lambda: table.row_count == HEAD, what="the first screenful")
        await pilot.press("G", "asterisk")
        assert table.cursor == 0 and table.marked == set()  # not the last of the first HEAD rows
        source.gate.set()
        await wait_for(pilot, lambda: table.row_count == HEAD + 50, what="the whole order")
        await pilot.pause()
        assert table.current_job().id == ids[0]  # the oldest: the real last row
        assert table.marked == set(ids)


def test_the_column_under_a_click_is_found_by_offset():
    columns = [("id", "#", 3), ("state", "STATE", 10), ("file", "FILE", 20)]
    assert [column_at(columns, x) for x in (0, 2, 3, 4, 13, 14, 15, 34, 35)] == [
        "id", "id", None, "state", "state", None, "file", "file", None,
    ]  # fmt: skip


async def test_any_column_sorts_directly_by_a_click_on_its_name_or_the_palette(tmp_path):
    from stt_tui.tui.commands import binding_commands

    history = History(tmp_path / "h.sqlite3")
    b, a, c = fill(history, ["b.wav", "a.wav", "c.wav"])
    app = ListApp(history)
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(JobList)
        await wait_for(pilot, lambda: table.row_count == 3, what="the rows")
        columns = layout(table.scrollable_content_region.width, 1)
        x = sum(w + 1 for k, _, w in columns[: [k for k, _, _ in columns].index("file")])
        await pilot.click(JobList, offset=(x + 1, 0))  # on FILE in the header
        await wait_for(pilot, lambda: table.ids == [a, b, c], what="the order by file")
        await pilot.click(JobList, offset=(x + 1, 0))  # again: reversed
        await wait_for(pilot, lambda: table.ids == [c, b, a], what="the reversed order")
        commands = {c.title: c for c in binding_commands(app, app.screen)}
        await commands["Sort by # (jobs)"].callback()  # as the palette runs it
        await wait_for(pilot, lambda: table.ids == [c, a, b], what="the order by number")
        assert (table.sort_by, table.descending) == ("id", True)
