"""Retention arithmetic and how jobs read: pure functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from stt_tui.audio.folders import folder_name, home_relative
from stt_tui.jobs.model import (
    RETENTION_SECONDS,
    Job,
    JobState,
    RequestOptions,
    expiry_level,
    format_duration,
    retention_deadline,
    seconds_left,
)
from stt_tui.outputs.formatting import (
    JOB_HEADERS,
    audio_text,
    job_details,
    job_row,
    job_to_dict,
    retention_text,
    table,
)
from stt_tui.settings.config import parse_config
from stt_tui.shared.speechkit import LANGUAGE_NAMES, LANGUAGES, canonical_language

H = 3600.0


def running(created: float = 0.0, **kw) -> Job:
    base = dict(
        id=1,
        profile="local",
        state=JobState.RUNNING,
        file_path="/x/talk.wav",
        created_at=created,
        operation_id="e03abcdefghij0123456",
        expires_at=retention_deadline(created),
        audio_seconds=125.0,
        channels=2,
    )
    return Job(**{**base, **kw})


def test_the_deadline_is_three_days_after_creation():
    assert retention_deadline(1000.0) == 1000.0 + 72 * H == 1000.0 + RETENTION_SECONDS


@pytest.mark.parametrize(
    ("now", "left", "level", "text"),
    [
        (0.0, 72 * H, "ok", "3d00h"),
        (59 * H, 13 * H, "ok", "13h00m"),
        (60 * H, 12 * H, "warning", "12h00m"),
        (71.5 * H, 0.5 * H, "warning", "30m00s"),
        (72 * H, 0.0, "expired", "expired"),
        (80 * H, -8 * H, "expired", "expired"),
    ],
)
def test_countdown_levels(now, left, level, text):
    job = running()
    assert seconds_left(job, now) == left
    assert expiry_level(job, now) == level
    assert retention_text(job, now) == text


def test_a_stored_result_no_longer_counts_down():
    job = running(state=JobState.DONE, has_result=True)
    assert seconds_left(job, 80 * H) is None and expiry_level(job, 80 * H) is None
    assert retention_text(job, 80 * H) == "saved"
    assert seconds_left(running(state=JobState.FAILED), 0.0) is None


def test_format_duration():
    assert [format_duration(s) for s in (0, 45, 725, 11220, 187200, -5)] == [
        "0s",
        "45s",
        "12m05s",
        "3h07m",
        "2d04h",
        "0s",
    ]


def test_rows_and_json():
    job = running(options=RequestOptions(language="ru-RU", model="deferred-general"))
    assert job.options.deferred
    row = job_row(job, 10.0)
    assert len(row) == len(JOB_HEADERS)
    assert row[1] == "running" and row[3] == "talk.wav" and row[4] == "ru-RU/deferred-general"
    assert audio_text(job) == "2m05s×2"
    data = job_to_dict(job, 10.0)
    assert data["expires_in_seconds"] == round(72 * H - 10) and data["expiry"] == "ok"
    assert data["options"]["model"] == "deferred-general" and data["result_saved"] is False
    text = table(("A", "LONGER"), [("1", "x"), ("22", "yy")])
    assert text.splitlines() == ["A   LONGER", "1   x", "22  yy"]


def test_a_job_says_only_the_options_its_api_carried():
    """`show` once listed "phone formatting" (a v3 option, on by default) for a v2 job, which never
    sent it."""
    asked = RequestOptions(literature_text=True, speaker_labeling=True)
    assert asked.turned_on("v2") == ["literature text"]
    assert asked.turned_on("v3") == ["literature text", "speaker labeling", "phone formatting"]
    assert "options        literature text\n" in job_details(running(options=asked), 10.0)


def test_options_from_stored_dicts_ignore_unknown_keys():
    assert RequestOptions.from_dict({"language": "kk-KZ", "future_option": 1}) == RequestOptions(
        language="kk-KZ"
    )


def test_each_language_is_offered_once_and_the_old_kazakh_code_is_still_taken():
    assert len(LANGUAGES) == len(set(LANGUAGES)) == len(set(LANGUAGE_NAMES.values()))
    assert "kk-KK" not in LANGUAGES and "kk-KZ" in LANGUAGES  # the facts sheet's current spelling
    assert canonical_language("kk-KK") == "kk-KZ" == canonical_language("KK-kz")
    config = parse_config('[profiles.local]\ndefault_language = "kk-kk"\n', Path("/c/config.toml"))
    assert config.profiles["local"].default_language == "kk-KZ"


def test_the_home_folder_reads_as_a_tilde():
    home = Path.home()
    assert home_relative(home) == "~" and folder_name(home) == "~"
    assert home_relative(home / "talks") == "~/talks" and folder_name(home / "talks") == "talks"
    assert home_relative(Path("/srv/audio")) == "/srv/audio" and folder_name(Path("/")) == "/"
