"""The TUI's deciding parts without a screen: cells, filter and sort, the feed, preferences, loudness."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from stt_tui.audio.folders import visible
from stt_tui.audio.loudness import levels
from stt_tui.cli import tui_request
from stt_tui.history import MIGRATIONS, History
from stt_tui.history.feed import JobFeed
from stt_tui.jobs.model import RETENTION_SECONDS, Job, JobState, RequestOptions
from stt_tui.jobs.schedule import LOCAL_POLICY
from stt_tui.settings import preferences
from stt_tui.tui import cells
from stt_tui.tui.widgets.status_line import status_text
from tests.support.transcripts import operation_json

NOW = 1_800_000_000.0
COMMANDS = {"submit", "jobs", "serve"}


def job(id=1, state=JobState.RUNNING, created=NOW - 60, **kw) -> Job:
    kw.setdefault("expires_at", created + RETENTION_SECONDS)
    kw.setdefault("file_path", f"/audio/talk{id}.wav")
    return Job(id=id, profile="local", state=state, created_at=created, **kw)


# --- cells -------------------------------------------------------------------------------------------


def test_retention_counts_down_then_warns_then_says_expired():
    assert cells.retention_cell(job(created=NOW - 3600), NOW).plain == "2d23h"
    warning = cells.retention_cell(job(created=NOW - 61 * 3600), NOW)
    assert warning.plain == "! 11h00m" and "bold" in str(warning.style)
    assert cells.retention_cell(job(created=NOW - 73 * 3600), NOW).plain == "expired"
    assert cells.retention_cell(job(state=JobState.DONE, has_result=True), NOW).plain == "✓ saved"
    assert cells.retention_cell(job(state=JobState.FAILED), NOW).plain == "-"


def test_time_cell_shows_elapsed_against_the_expected_work():
    running = job(created=NOW - 65, audio_seconds=600, channels=2)  # 10 min × 2 ch × 10 s/min = 200 s
    assert cells.time_cell(running, NOW, LOCAL_POLICY).plain == "1m05s/~3m20s"
    deferred = job(options=RequestOptions(model="deferred-general"))
    assert cells.time_cell(deferred, NOW, LOCAL_POLICY).plain.endswith("/≤24h")
    done = job(state=JobState.DONE, operation_id="x", done_at=NOW - 30, created=NOW - 100)
    assert cells.time_cell(done, NOW, LOCAL_POLICY).plain == "took 1m10s"
    assert cells.time_cell(job(state=JobState.SUBMITTING), NOW, LOCAL_POLICY).plain == "sending"


def test_expiry_alerts_fire_once_per_job():
    jobs = [job(1, created=NOW - 61 * 3600), job(2, created=NOW - 3600), job(3, created=NOW - 62 * 3600)]
    warned = {3}
    assert [j.id for j in cells.expiry_alerts(jobs, NOW, warned)] == [1]


def test_status_line_text():
    text = status_text("local", "engine running", 2300, 2500, 120, 3, 2).plain
    assert text == (
        " local  engine running · 2,300/2,500 checks/h · polling paused 2m00s · 3 running · 2 marked"
    )


def test_a_narrow_status_line_drops_the_budget_before_what_the_user_acts_on():
    def line(width: int, checks: int = 30) -> str:
        batch = "2 submitted · 1 done"
        text = status_text("local", "engine running", checks, 200_000, 0, 1, 2, summary=batch, width=width)
        return text.plain

    assert "30/200,000 checks/h" in line(0) and "1 running" in line(0)
    assert line(80) == " local  engine running · 1 running · 2 marked · 2 submitted · 1 done"
    assert line(60) == " local  engine running · 2 marked · 2 submitted · 1 done"
    assert "190,000/200,000 checks/h" in line(40, checks=190_000)  # a budget nearly spent must be seen


def test_the_browser_shows_folders_and_media_unless_asked():
    from pathlib import Path

    assert visible(Path("talk.FLAC"), is_dir=False, show_all=False, show_hidden=False)
    assert not visible(Path("notes.txt"), is_dir=False, show_all=False, show_hidden=False)
    assert visible(Path("notes.txt"), is_dir=False, show_all=True, show_hidden=False)
    assert visible(Path("folder"), is_dir=True, show_all=False, show_hidden=False)
    assert not visible(Path(".cache"), is_dir=True, show_all=True, show_hidden=False)
    assert visible(Path(".cache"), is_dir=True, show_all=False, show_hidden=True)


# --- the command line decides between the UI and a command ------------------------------------------


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], (None, None, "")),
        (["~/talks"], (None, None, "~/talks")),
        (["--home", "/h", "--profile=local", "talks"], ("/h", "local", "talks")),
        (["--home=/h"], ("/h", None, "")),
        (["submit", "a.wav"], None),
        (["--home", "/h", "jobs"], None),
        (["--help"], None),
        (["--json"], None),
        (["a", "b"], None),  # two folders: let argparse complain
        (["--home"], None),
    ],
)
def test_which_arguments_open_the_ui(argv, expected):
    assert tui_request(argv, COMMANDS) == expected


def test_a_misspelled_command_is_not_taken_for_a_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "stt_tui", "--home", str(tmp_path), "sumbit"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "stt-tui: 'sumbit' is neither a command nor a folder; see `stt-tui --help`."
    )


def test_without_a_terminal_the_ui_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "stt_tui", "--home", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr


# --- the feed: what changed in the history, whoever changed it --------------------------------------


def add(history: History, name: str) -> Job:
    return history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions())


def test_the_feed_reports_additions_changes_and_removals_by_another_connection(tmp_path):
    mine, theirs = History(tmp_path / "h.sqlite3"), History(tmp_path / "h.sqlite3")
    a, b = add(mine, "a.wav"), add(mine, "b.wav")
    feed = JobFeed(mine)
    assert [j.id for j in feed.load()] == [b.id, a.id]
    assert not feed.changes()

    theirs.mark_submitted(a.id, "op1", NOW, NOW + 5)
    c = add(theirs, "c.wav")
    changes = feed.changes()
    assert [(j.id, j.state) for j in changes.changed] == [
        (a.id, JobState.RUNNING),
        (c.id, JobState.SUBMITTING),
    ]
    assert not changes.removed

    theirs.store_result(a.id, operation_json())
    theirs.forget(b.id)
    changes = feed.changes()
    assert [(j.id, j.has_result) for j in changes.changed] == [(a.id, True)]
    assert changes.removed == {b.id}
    assert not feed.changes()


def test_a_removal_and_an_addition_in_one_look_are_both_seen(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    a = add(history, "a.wav")
    feed = JobFeed(history)
    feed.load()
    history.forget(a.id)
    b = add(history, "b.wav")
    changes = feed.changes()
    assert [j.id for j in changes.changed] == [b.id] and changes.removed == {a.id}


def test_a_version_1_history_is_migrated_with_its_rows(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[1])
    db.execute(
        "INSERT INTO jobs (profile, state, file_path, options, created_at) "
        "VALUES ('local', 'done', '/a.wav', '{}', 1)"
    )
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    history = History(path)
    assert history.revision() == 1
    feed = JobFeed(history)
    assert feed.load() == []  # it is done: only unfinished jobs are read up front
    assert [j.file_path for j in history.jobs()] == ["/a.wav"]
    history.set_state(1, JobState.FAILED, error="x")
    assert [j.state for j in feed.changes().changed] == [JobState.FAILED]


# --- preferences --------------------------------------------------------------------------------------


def test_preferences_round_trip_and_survive_damage(tmp_path):
    path = tmp_path / "cfg" / "tui-state.json"
    assert preferences.load(path) == preferences.Preferences()
    chosen = RequestOptions(language="ru-RU", model="deferred-general", literature_text=True)
    prefs = (
        preferences.Preferences().with_options("local", chosen).with_(show_hidden_files=True, job_sort="file")
    )
    preferences.save(path, prefs)
    loaded = preferences.load(path)
    assert loaded == prefs
    assert loaded.options_for("local", RequestOptions()) == chosen
    assert loaded.options_for("yandex", RequestOptions()) == RequestOptions()
    path.write_text('{"last_options": {"local": 5}, "job_sort": ')
    assert preferences.load(path) == preferences.Preferences()


# --- loudness --------------------------------------------------------------------------------------------


def test_levels_show_the_loudest_window_of_each_bucket_per_channel():
    rms = np.full((2, 100), 1e-6)  # silence: -120 dBFS
    rms[0, 10] = 1.0  # one loud window in channel 1
    rms[1, 55:60] = 10 ** (-30 / 20)  # -30 dBFS in channel 2
    got = levels(rms, 10)
    assert len(got) == 2 and all(len(row) == 10 for row in got)
    assert got[0][1] == 1.0 and got[0][0] == 0.0 and max(got[0][2:]) == 0.0
    assert got[1][5] == 0.5 and got[1][4] == 0.0
    assert levels(np.zeros((1, 3)), 10) == [[0.0, 0.0, 0.0]]  # fewer windows than buckets
    assert levels(np.zeros((1, 0)), 10) == [[]]


def test_no_module_is_over_400_lines():
    """One module, one job: a module past 400 lines holds more than one (generated code aside)."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[3] / "src" / "stt_tui"
    long = {
        str(p.relative_to(src)): n
        for p in src.rglob("*.py")
        if "_proto" not in p.parts and (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_a_long_phrase_wraps_under_its_text_not_the_left_edge():
    from rich.console import Console

    from stt_tui.outputs.export import Utterance
    from stt_tui.tui.widgets.phrase_rows import utterance_row

    phrase = Utterance(2, "word " * 30, 65.5, 70.0, ())
    console = Console(width=50, record=True, color_system=None)
    console.print(utterance_row(phrase, labelled=True, words=False, query=""))
    lines = console.export_text().splitlines()
    assert lines[0].startswith("01:05.5  ch2  word")
    indent = lines[0].index("word")
    rest = [line for line in lines[1:] if line.strip()]
    assert len(rest) > 1 and all(line.startswith(" " * indent + "word") for line in rest)


def test_failed_stands_out_without_colour():
    """NO_COLOR strips colours (textual.filter.NoColor): a failure must still differ from the rest."""
    from rich.segment import Segment
    from rich.style import Style
    from textual.color import Color
    from textual.filter import NoColor

    failed = cells.cells(job(state=JobState.FAILED), NOW, LOCAL_POLICY)["state"]
    done = cells.cells(job(state=JobState.DONE, has_result=True), NOW, LOCAL_POLICY)["state"]
    strip = NoColor()
    [f] = strip.apply([Segment("failed", Style.parse(str(failed.style)))], Color(0, 0, 0))
    [d] = strip.apply([Segment("done", Style.parse(str(done.style)))], Color(0, 0, 0))
    assert f.style.reverse and not d.style.reverse
