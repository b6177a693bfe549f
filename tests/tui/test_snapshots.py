"""What the screens look like at 80×24: the main screen, the submit dialog, a transcript, the help.

Everything on them is made fixed here: the clock, the folder and its files, the history. Update with
`pytest tests/tui/test_snapshots.py --snapshot-update` after looking at the report.
"""

from __future__ import annotations

import shutil
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions
from tests.support.homes import stop_engine
from tests.support.transcripts import operation_json
from tests.support.tui_helpers import make_app
from tests.support.waiting import wait_for

NOW = 1_795_600_800.0  # 2026-11-25 07:20 UTC
FOLDER = Path("/tmp/stt-tui-snapshots/recordings")  # shown on screen, so it must not vary
SIZE = (80, 24)
ROWS = 6  # the jobs of fill_history()


def tone_wav(path: Path, channels: int, rate: int, seconds: float) -> None:
    """Bursts of tone with silences between, a different rhythm per channel."""
    t = np.arange(int(rate * seconds)) / rate
    signals = []
    for ch in range(channels):
        gate = (np.sin(2 * np.pi * t / (2.0 + ch)) > 0.2).astype(float)
        signals.append(0.5 * gate * np.sin(2 * np.pi * 440 * t))
    data = (np.stack(signals, axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


def fill_history(history: History) -> None:
    def job(name, created, state, options=None, seconds=600.0, channels=1, error=None):
        j = history.add_submitting(
            profile="local",
            file_path=str(FOLDER / name),
            options=options or RequestOptions(),
            audio_seconds=seconds,
            channels=channels,
        )
        if state == JobState.FAILED and error:
            return history.set_state(j.id, state, error=error)
        # Next checks as the schedule stores them: not due at NOW (a deferred job is asked rarely).
        next_check = NOW + (3600 if j.options.deferred else 100)
        j = history.mark_submitted(j.id, f"e03{j.id:017d}", created, next_check)
        if state == JobState.DONE:
            history.store_result(j.id, operation_json())
        elif state != JobState.RUNNING:
            history.set_state(j.id, state, error=error)
        return j

    job("board-meeting.wav", NOW - 50 * 3600, JobState.DONE, channels=2, seconds=5400)
    job("old-call.wav", NOW - 80 * 3600, JobState.EXPIRED, error="The service no longer has this result.")
    job("bad.mp3", NOW - 30 * 3600, JobState.FAILED, error="Invalid audio received.")
    job("nightly.ogg", NOW - 62 * 3600, JobState.RUNNING, RequestOptions(model="deferred-general"))
    job("interview.wav", NOW - 95, JobState.RUNNING, RequestOptions(language="ru-RU"), 900, 2)
    # The same meeting again in Russian: the LANG column tells the two apart, even at 60 columns.
    job("board-meeting.wav", NOW - 49 * 3600, JobState.DONE, RequestOptions("ru-RU"), 5400, 2)


@pytest.fixture
def scene(monkeypatch) -> Iterator[Path]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    shutil.rmtree(FOLDER.parent, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    tone_wav(FOLDER / "interview.wav", 2, 16000, 12.0)
    tone_wav(FOLDER / "podcast.wav", 1, 44100, 8.0)
    (FOLDER / "archive").mkdir()
    home = FOLDER.parent / "home"  # fixed too: the profile list shows where config.toml is
    history = History(home / "history.sqlite3", clock=lambda: NOW - 100)
    fill_history(history)
    history.close()
    yield home
    stop_engine(home)
    shutil.rmtree(FOLDER.parent, ignore_errors=True)
    monkeypatch.delenv("TZ")
    time.tzset()


def app_for(home: Path):
    return make_app(home, FOLDER, clock=lambda: NOW)


async def settled(pilot) -> None:
    """The history shown, the first file probed and drawn, the engine's state known."""
    app = pilot.app
    await wait_for(pilot, lambda: app.service is not None, what="the service")
    await wait_for(pilot, lambda: app.main.jobs.row_count == ROWS, what="the history")
    await wait_for(pilot, lambda: "engine" in app.main.query_one("StatusLine").engine, what="the status")
    await pilot.press("down", "down")  # past the folder, onto interview.wav
    info = app.main.query_one("FileInfo")
    await wait_for(pilot, lambda: info.levels, what="the loudness envelope")
    # The expiry warning about nightly.ogg is tested elsewhere; here it would hide the status line.
    said = lambda: any("forgets it in 10h00m" in message for _, message in app.shown)  # noqa: E731
    await wait_for(pilot, said, what="the time left, said")
    app.clear_notifications()
    await pilot.pause(0.3)


def test_main_screen(scene, snap_compare):
    assert snap_compare(app_for(scene), terminal_size=SIZE, run_before=settled)


def test_submit_dialog(scene, snap_compare):
    async def run_before(pilot):
        await settled(pilot)
        await pilot.press("space")  # mark interview.wav; the cursor moves on to podcast.wav
        info = pilot.app.main.query_one("FileInfo")
        await wait_for(pilot, lambda: info.facts.path.endswith("podcast.wav") and info.levels)
        await pilot.press("s")  # submit the marked file
        await pilot.pause(0.3)

    assert snap_compare(app_for(scene), terminal_size=SIZE, run_before=run_before)


def test_submit_dialog_without_colour(scene, snap_compare, monkeypatch):
    """With NO_COLOR (a 16-colour terminal, a screen reader, a copy of the screen) an option that is off
    shows no mark in its glyphs: only the one turned on reads as chosen."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot):
        await settled(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "SubmitScreen")
        pilot.app.screen.query_one("#literature_text").value = True
        await pilot.pause(0.3)

    app = app_for(scene)
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_transcript_view(scene, snap_compare):
    async def run_before(pilot):
        await settled(pilot)
        await pilot.press("tab")
        table = pilot.app.main.jobs
        table.cursor = table.ids.index(1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "TranscriptScreen")
        await pilot.press("slash", *"how", "enter")  # Enter leaves the box for the phrases
        await pilot.pause(0.3)

    assert snap_compare(app_for(scene), terminal_size=SIZE, run_before=run_before)


def test_help_screen(scene, snap_compare):
    async def run_before(pilot):
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.3)

    assert snap_compare(app_for(scene), terminal_size=SIZE, run_before=run_before)


def test_profile_switch(scene, snap_compare, monkeypatch):
    for name in ("YC_API_KEY", "YC_IAM_TOKEN", "YC_SERVICE_ACCOUNT_KEY_FILE", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    config = scene / "config.toml"
    config.write_text(
        f"""
[profiles.yandex]
service_account_key_file = "{FOLDER.parent}/keys/sa.json"
[profiles.yandex.storage]
bucket = "team-audio"

[profiles.kz]
kind = "cloud"
stt_endpoint = "stt.api.yandexcloud.kz:443"
operation_endpoint = "operation.api.yandexcloud.kz:443"
api_key = "AQVNnot-shown-anywhere"
access_key_id = "YCAJEexample"
secret_access_key = "YCnot-shown-either"
[profiles.kz.storage]
bucket = "kz-audio"
endpoint = "https://storage.yandexcloud.kz"
uri_base = "https://storage.yandexcloud.kz"
"""
    )
    config.chmod(0o600)

    async def run_before(pilot):
        await settled(pilot)
        await pilot.press("P")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ProfileScreen")
        await pilot.press("down", "down")
        await pilot.pause(0.3)

    app = app_for(scene)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(60, 20), (160, 48)], ids=["narrow-60x20", "wide-160x48"])
def test_main_screen_at_other_sizes(scene, snap_compare, size):
    """Narrow: the file pane steps aside, the list keeps #, state, file, language and retention, and the
    footer `? Help`. Wide: every column, the file name column taking the room."""

    async def run_before(pilot):
        app = pilot.app
        await wait_for(pilot, lambda: app.service is not None, what="the service")
        await wait_for(pilot, lambda: app.main.jobs.row_count == ROWS, what="the history")
        await wait_for(pilot, lambda: "engine" in app.main.query_one("StatusLine").engine, what="status")
        await pilot.press("down", "down")
        if size[0] >= 70:
            await wait_for(pilot, lambda: app.main.query_one("FileInfo").levels, what="the loudness")
        app.clear_notifications()
        await pilot.pause(0.3)

    assert snap_compare(app_for(scene), terminal_size=size, run_before=run_before)
