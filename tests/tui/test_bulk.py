"""Marks and what is done to the marked jobs at once; the details and the totals of jobs (Pilot)."""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import Checkbox, Input

from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.tui.screens.bulk_export import BulkExportScreen
from stt_tui.tui.screens.confirm import ConfirmScreen
from stt_tui.tui.screens.details import DetailsScreen
from stt_tui.tui.screens.submit import SubmitScreen
from stt_tui.tui.screens.totals import TotalsScreen
from tests.support.audio_helpers import clip
from tests.support.transcripts import operation_json, parse_srt
from tests.support.tui_helpers import make_app
from tests.support.waiting import wait_for


def done_jobs(home: Path, audio: Path, count: int) -> list[int]:
    history = History(home / "history.sqlite3")
    ids = []
    for n in range(count):
        wav = audio / f"talk-{n}.wav"
        wav.write_bytes(clip("ps_cards_001.wav").path.read_bytes())
        job = history.add_submitting(
            profile="local", file_path=str(wav), options=RequestOptions(), audio_seconds=60, channels=2
        )
        history.mark_submitted(job.id, f"op{n:018d}", time.time() - 100, time.time() + 3600)
        history.store_result(job.id, operation_json())
        ids.append(job.id)
    history.close()
    return ids


async def test_mark_all_then_export_beside_each_file_and_forget_them(home, tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    ids = done_jobs(home, audio, 3)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 3, what="the history")
        table.focus()
        await pilot.press("space")  # marks the job under the cursor and moves on
        assert table.marked == {ids[2]} and table.cursor == 1
        await pilot.press("asterisk")  # every job shown
        assert table.marked == set(ids)
        assert "3 marked" in app.main.query_one("#jobs-pane").border_title

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkExportScreen), what="the bulk export")
        assert app.screen.query_one("#beside", Checkbox).value
        await pilot.press("ctrl+s")
        for n in range(3):
            await wait_for(pilot, (audio / f"talk-{n}.srt").exists, what=f"talk-{n}.srt")
            assert parse_srt((audio / f"talk-{n}.srt").read_text())
        await wait_for(pilot, lambda: any("Wrote 3 transcripts" in m for _, m in app.shown), what="one word")

        await pilot.press("e")  # again, into one folder this time
        await wait_for(pilot, lambda: isinstance(app.screen, BulkExportScreen), what="the bulk export")
        app.screen.query_one("#beside", Checkbox).value = False
        app.screen.query_one("#folder", Input).value = str(tmp_path / "out")
        (tmp_path / "out").mkdir()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(list((tmp_path / "out").glob("*.srt"))) == 3, what="three files")

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "Forget 3 jobs?" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: table.row_count == 0, what="the jobs to go")
        await wait_for(pilot, lambda: any("Forgot 3 jobs." in m for _, m in app.shown), what="one notice")


async def test_two_jobs_of_one_audio_file_export_beside_it_under_two_names(home, tmp_path):
    """Two jobs of one file (auto and ru-RU, say) said "Wrote 2 transcripts." over one file on disk."""
    audio = tmp_path / "audio"
    audio.mkdir()
    ids = done_jobs(home, audio, 1)
    history = History(home / "history.sqlite3")
    again = history.add_submitting(
        profile="local", file_path=str(audio / "talk-0.wav"), options=RequestOptions(), audio_seconds=60
    )
    history.mark_submitted(again.id, "op-again", time.time() - 100, time.time() + 3600)
    history.store_result(again.id, operation_json())
    history.close()
    app = make_app(home, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 2, what="the history")
        table.focus()
        await pilot.press("asterisk", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkExportScreen), what="the bulk export")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("Wrote 2 transcripts" in m for _, m in app.shown), what="notice")
        written = sorted(p.name for p in audio.glob("*.srt"))
        assert len(written) == 2, written
        assert "talk-0.srt" in written
        assert {f"talk-0 (job {ids[0]}).srt", f"talk-0 (job {again.id}).srt"} & set(written)


async def test_cancel_asks_first_and_resubmit_offers_the_dialog(home, tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    (first, second) = done_jobs(home, audio, 2)
    history = History(home / "history.sqlite3")
    history.set_state(second, JobState.FAILED, error="Invalid audio received.")
    history.close()
    app = make_app(home, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 2, what="the history")
        table.focus()
        await pilot.press("c")  # the failed job is not running: nothing to cancel, said at once
        await wait_for(pilot, lambda: any("nothing is running" in m for _, m in app.shown), what="the word")
        await pilot.press("R")  # send the failed job's audio again, with options to change
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        assert [p.name for p in app.screen.paths] == ["talk-1.wav"]
        await pilot.press("escape")


async def test_details_and_totals(home, tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    (job_id,) = done_jobs(home, audio, 1)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main.jobs
        await wait_for(pilot, lambda: table.row_count == 1, what="the history")
        table.focus()
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailsScreen), what="the details")
        facts = str(app.screen.query_one("#details-facts").render())
        assert "op000000000000000000" in facts and "talk-0.wav" in facts
        stored = app.screen.operation_json
        assert stored is not None and "LongRunningRecognitionResponse" in stored
        await pilot.press("escape")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TotalsScreen), what="the totals")
        totals = app.screen.totals
        assert totals.by_state[JobState.DONE] == 1
        assert totals.month == [("local", "general", 120.0)]  # 60 s of stereo counts twice, as billed


def test_a_transcript_opens_in_the_users_own_program(tmp_path):
    """$PAGER/$EDITOR get a private temporary file with the text, removed afterwards; a program that
    cannot run is one sentence."""
    import contextlib

    from stt_tui.tui.pager_editor import run_outside

    script = tmp_path / "viewer.sh"
    record = tmp_path / "seen.txt"
    script.write_text(f'#!/bin/sh\ncat "$1" > {record}\nstat -c %a "$1" >> {record}\necho "$1" >> {record}\n')
    script.chmod(0o755)
    said: list[str] = []
    run_outside(str(script), "hello there\n", contextlib.nullcontext, lambda m, **kw: said.append(m))
    text, mode, name = record.read_text().splitlines()
    assert text == "hello there" and mode == "600" and not Path(name).exists() and said == []
    run_outside("/no/such/pager", "x", contextlib.nullcontext, lambda m, **kw: said.append(m))
    assert said == ["/no/such/pager could not be run: No such file or directory."]
