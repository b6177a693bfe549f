"""The app switching to a cloud profile: the upload shows, the request budget shows, the job completes."""

from __future__ import annotations

import shutil

from stt_tui.jobs.model import JobState
from stt_tui.tui.screens.profiles import ProfileScreen
from stt_tui.tui.screens.submit import SubmitScreen
from stt_tui.tui.widgets.activity import Activity
from stt_tui.tui.widgets.status_line import StatusLine
from tests.support.audio_helpers import clip
from tests.support.cloud_rig import PROFILE
from tests.support.tui_helpers import highlight, make_app
from tests.support.waiting import wait_for

CARDS = clip("ps_cards_003.wav")


async def test_switch_to_the_cloud_profile_submit_upload_and_see_the_budget(
    rig, seaweed, tmp_path, monkeypatch
):
    for name, value in rig.env.items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "talks"
    folder.mkdir()
    shutil.copy(CARDS.path, folder / CARDS.path.name)
    app = make_app(rig.home, folder)
    labels: list[str] = []
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        status = app.main.query_one(StatusLine)
        assert status.profile == "local" and status.requests_budget == 0

        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen), what="the profile list")
        rows = {row["name"]: row for row in app.screen.rows}
        assert set(rows) == {"local", "yandex", PROFILE}
        assert rows[PROFILE]["problem"] == "" and "api key from $YC_API_KEY" in rows[PROFILE]["credentials"]
        assert rows["yandex"]["problem"] == ""  # API v3: no bucket needed for files up to 60 MB
        names = list(rows)
        for _ in range(names.index(PROFILE) - names.index("local")):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.profile.name == PROFILE, what="the switch")
        assert status.profile == PROFILE and status.engine == "cloud" and status.requests_budget == 500
        assert any(message == f"Using profile {PROFILE}." for _, message in app.shown)

        activity = app.main.query_one(Activity)
        activity.watch(activity, "label", lambda label: labels.append(label), init=False)
        await highlight(pilot, app, CARDS.path.name)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.jobs.jobs, what="the new row")
        job_id = next(iter(app.main.jobs.jobs))
        await wait_for(
            pilot, lambda: app.main.jobs.jobs[job_id].state == JobState.DONE, timeout=120, what="done"
        )
        job = app.main.jobs.jobs[job_id]
        assert job.profile == PROFILE
        await wait_for(pilot, lambda: status.requests == 1, what="the request counted")
        assert status.checks >= 1
        assert any(label.startswith("Uploading ps_cards_003.wav") for label in labels), labels
        assert not [k for k in seaweed.object_keys() if k.startswith("jobs/")]  # deleted once stored
        rendered = str(status.render())
        assert "1/500 requests/h" in rendered and PROFILE in rendered
