"""The real app through Pilot where it used to lie or stick: exports, finished jobs, batches, histories."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from textual.widgets import Input, Select

from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.tui.screens.export import ExportScreen
from tests.support.transcripts import operation_json, parse_vtt
from tests.support.tui_helpers import make_app, row_cells
from tests.support.waiting import wait_for


def stored_jobs(home: Path) -> dict[str, int]:
    """A done job, a cancelled one with its stored Operation, and one running 30 minutes from expiry."""
    history = History(home / "history.sqlite3")
    now = time.time()

    def add(name: str) -> int:
        job = history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions())
        return job.id

    done = add("talk.wav")
    history.mark_submitted(done, "opdone0000000000000a", now - 100, now + 3600)
    history.store_result(done, operation_json())
    cancelled = add("stopped.wav")
    history.mark_submitted(cancelled, "opcancel00000000000b", now - 100, now + 3600)
    history.store_result(cancelled, operation_json(), state=JobState.CANCELLED, error="Cancelled.")
    expiring = add("late.wav")
    history.mark_submitted(expiring, "oplate0000000000000c", now - 72 * 3600 + 1800, now + 20)
    history.close()
    return {"done": done, "cancelled": cancelled, "expiring": expiring}


async def test_exports_follow_the_extension_and_finished_jobs_say_so(home, tmp_path):
    ids = stored_jobs(home)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 3, what="the history")
        # The expiry alert says how long is left, not "under 12 h".
        await wait_for(pilot, lambda: any("forgets it in 29m" in m or "forgets it in 30m" in m
                                          for _, m in app.shown), what="the expiry alert")  # fmt: skip
        table.focus()

        # A cancelled job: saved nothing, and `e` says so at once instead of failing at the end.
        table.cursor = table.ids.index(ids["cancelled"])
        assert "saved" not in row_cells(table, ids["cancelled"])["retention"]
        await pilot.press("e")
        await wait_for(pilot, lambda: any("has no transcript: it is cancelled" in m for _, m in app.shown))
        assert not isinstance(app.screen, ExportScreen)

        # `r` on a finished job asks nothing and says why.
        await pilot.press("r")
        await wait_for(pilot, lambda: any("there is nothing to ask the service" in m for _, m in app.shown))

        # The export dialog: a .vtt name gets WebVTT even though srt was chosen.
        table.cursor = table.ids.index(ids["done"])
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export dialog")
        dialog = app.screen
        assert dialog.query_one("#format", Select).value == "srt"
        target = tmp_path / "talk.vtt"
        dialog.query_one("#path", Input).value = str(target)
        follows = lambda: dialog.query_one("#format", Select).value == "vtt"  # noqa: E731
        await wait_for(pilot, follows, what="the format to follow the name")
        assert dialog.query_one("#format", Select).value == "vtt"
        await pilot.press("ctrl+s")
        await wait_for(pilot, target.exists, what="the VTT file")
        assert target.read_text().startswith("WEBVTT\n")
        assert len(parse_vtt(target.read_text())) >= 2


async def test_a_batch_that_ends_unexpectedly_leaves_no_progress_behind(home, tmp_path):
    for name in ("a.wav", "b.wav", "c.wav"):
        shutil.copy(Path(__file__).parents[3] / "shared/bench/speech/ps_cards_001.wav", tmp_path / name)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        service = app.service
        real_plan = service.submission.plan  # each file of a batch is planned, then sent
        calls = []

        def plan(path, options, progress, **kw):
            calls.append(path)
            if len(calls) == 2:
                raise RuntimeError("database is locked")  # nothing the batch expects
            return real_plan(path, options, progress, **kw)

        service.submission.plan = plan  # type: ignore[method-assign]
        app.main.files.send([tmp_path / n for n in ("a.wav", "b.wav", "c.wav")], RequestOptions())
        await wait_for(pilot, lambda: len(calls) == 2, what="the batch to stop")
        await wait_for(pilot, lambda: app.main.files.work.pending == 0, what="the batch's count to clear")
        activity = app.main.query_one("#activity")
        await wait_for(pilot, lambda: not activity.display, what="the progress bar to go")
        # The worker's failure is said after its cleanup has run (its state changes once it has unwound).
        said = lambda: any("submit files failed: database is locked" in m for _, m in app.shown)  # noqa: E731
        await wait_for(pilot, said, what="the failure said")


async def test_a_history_that_cannot_be_read_is_said_on_every_action(home, tmp_path):
    home.mkdir(parents=True)
    db = sqlite3.connect(home / "history.sqlite3")
    db.execute("PRAGMA user_version=99")
    db.close()
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: any("newer stt-tui" in m for _, m in app.shown), what="the error")
        app.shown.clear()
        await pilot.press("P")
        # What `P` says is said at once, in place of the dialog: any other sentence would come with it.
        await wait_for(pilot, lambda: any("newer stt-tui" in m for _, m in app.shown), what="the error again")
        assert any("newer stt-tui" in m for _, m in app.shown)
        assert not any("still being read" in m for _, m in app.shown)


async def test_what_a_worker_learns_as_the_app_shuts_down_changes_nothing(home, tmp_path):
    """A folder's markers, a watch's news, a batch ready: posted by a worker that outlives the file pane
    (seen in CI as the app exited) they are not delivered to it, and that is no error."""
    from stt_tui.service.watch import WatchEvent
    from stt_tui.tui.messages import BatchReady, SeenReady, Watched

    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        pane = app.main.files
    late = [
        SeenReady([tmp_path / "a.wav"], {}),
        Watched(WatchEvent("refused", tmp_path / "a.wav", message="a.wav cannot be sent.")),
        BatchReady([tmp_path / "a.wav"], RequestOptions(), {}, False),
    ]
    for message in late:
        assert pane.post_message(message) is False  # the pane is gone: nothing to update, nothing raised
