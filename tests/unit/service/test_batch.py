"""Submitting: the plan of one file (pure: no file, engine or history), and a batch's outcomes through the
real service and engine (a repeat linked, a refusal named, the quota stopping the rest)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from stt_tui.audio.probe import Encoding, Probe, check
from stt_tui.jobs.model import Job, JobState, RequestOptions
from stt_tui.service import Seen
from stt_tui.service.batch import FileOutcome, Outcome
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.service.plan import plan_file, service_options, with_audio
from stt_tui.settings.config import builtin_profiles
from stt_tui.shared.paths import resolve_paths
from tests.support.audio_helpers import another_recording, clip

LOCAL = builtin_profiles()["local"]
CLOUD = builtin_profiles()["yandex"]  # v3, no bucket
TALK = Path("/drop/talk.wav")
SPOKEN = clip("ps_cards_003.wav")


def probe(**kw: object) -> Probe:
    fields: dict[object, object] = dict(
        path=str(TALK), size=320_044, container="wav", codec="pcm_s16le", duration=10.0, channels=1,
        sample_rate=16_000,
    )  # fmt: skip
    fields.update(kw)
    return Probe(**fields)  # type: ignore[arg-type]


def job(id: int, state: JobState, options: RequestOptions, has_result: bool = False) -> Job:
    path = f"/a/{id}.wav"
    return Job(id, "local", state, path, created_at=0, has_result=has_result, options=options, api=LOCAL.api)


# --- the plan, pure ---------------------------------------------------------------------------------


def test_a_plan_says_the_request_and_the_way_the_audio_goes():
    found = probe()
    plan = plan_file(TALK, found, check(found), RequestOptions(), LOCAL)
    assert plan.request.profile == "local" and plan.request.api == "v3"  # as the cloud's (issue 33)
    assert plan.verdict.encoding == Encoding.LINEAR16_PCM and not plan.inline  # the engine reads the file
    v2 = plan_file(TALK, found, check(found), RequestOptions(), dataclasses.replace(LOCAL, api="v2"))
    assert v2.request.api == "v2" and v2.request != plan.request  # a request of another API is another
    assert plan.sha256 == "" and plan.repeat is None  # nothing known of the audio before it is hashed
    small = plan_file(TALK, found, check(found), RequestOptions(), CLOUD)
    assert small.inline  # a cloud v3 profile sends a small file in the request itself


def test_a_plan_refuses_in_one_sentence_what_the_service_would_refuse():
    silent = probe(duration=0.0)
    with pytest.raises(UserError, match=r"^talk\.wav cannot be sent: It holds no audio\.$"):
        plan_file(TALK, silent, check(silent), RequestOptions(), LOCAL)
    found = probe()
    always = dataclasses.replace(CLOUD, upload="always")
    with pytest.raises(UserError, match=r"uploads every file \(upload = .always.\) but has no bucket"):
        plan_file(TALK, found, check(found), RequestOptions(), always)
    with pytest.raises(UserError, match="xx-XX"):
        service_options(RequestOptions("xx-XX"), "v2")
    assert service_options(RequestOptions("EN-us"), "v2").language == "en-US"  # as the service spells it


def test_a_plan_knows_a_repeat_and_a_transcript_made_otherwise():
    found = probe()
    plan = plan_file(TALK, found, check(found), RequestOptions(), LOCAL)
    running = job(3, JobState.RUNNING, plan.options)
    repeated = with_audio(plan, "abc", [running])
    assert repeated.repeat is not None and repeated.repeat.seen == Seen.RUNNING
    same = repeated.same_audio()
    assert same is not None and "holds the same audio as job #3, from 3.wav, still being" in str(same)

    russian = job(4, JobState.DONE, RequestOptions("ru-RU"), has_result=True)
    other = with_audio(plan, "abc", [russian])
    assert other.repeat is None and other.same_audio() is None  # another language is new work
    note = other.other_options_note("v2")
    assert note is not None and "job #4 has a transcript" in note and "ru-RU → en-US" in note

    failed = job(5, JobState.FAILED, plan.options)
    assert with_audio(plan, "abc", [failed]).repeat is None  # a failure is sent again without a word
    assert with_audio(plan, "abc", None).repeat is None  # not asked: sent again on purpose
    assert with_audio(plan, "abc", [running]).sha256 == "abc"


# --- a batch, through the real service and engine ------------------------------------------------


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    profile = dataclasses.replace(LOCAL, requests_per_hour=2)
    told: list[str] = []
    svc = Service.open(resolve_paths(home), profile, warn=told.append, tell=told.append)
    yield svc
    svc.close()


def test_a_batch_links_a_repeat_names_a_refusal_and_stops_at_the_quota(service, tmp_path):
    first = another_recording(SPOKEN.path, tmp_path / "first.wav", 1)
    copy = shutil.copy(first, tmp_path / "copy of first.wav")
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    second = another_recording(SPOKEN.path, tmp_path / "second.wav", 2)
    third = another_recording(SPOKEN.path, tmp_path / "third.wav", 3)
    fourth = another_recording(SPOKEN.path, tmp_path / "fourth.wav", 4)
    files = [first, Path(copy), text, second, third, fourth]
    reported: list[FileOutcome] = []

    outcomes = service.submit_files(files, RequestOptions(), report=reported.append)

    assert reported == outcomes  # each said as it was known, and all returned
    assert [o.outcome for o in outcomes] == [
        Outcome.SUBMITTED, Outcome.LINKED, Outcome.REFUSED, Outcome.SUBMITTED, Outcome.NOT_SENT,
        Outcome.NOT_SENT,
    ]  # fmt: skip
    sent, linked, refused, _, stopped, after = outcomes
    assert linked.job is not None and sent.job is not None and linked.job.id == sent.job.id
    assert "copy of first.wav holds the same audio as job" in linked.message
    assert refused.message.startswith("notes.wav") and refused.job is None
    assert stopped.quota and "hourly quota of 2 recognition requests is used up" in stopped.message
    assert not after.stops and after.message == ""  # not tried: said with the file that met the quota
    second_job = outcomes[3].job
    assert second_job is not None  # two rows only: the copy is linked, the refused and stopped leave none
    assert sorted(j.id for j in service.jobs()) == sorted([sent.job.id, second_job.id])


def test_a_batch_sends_again_when_asked_and_links_what_was_looked_up(service, tmp_path):
    first = another_recording(SPOKEN.path, tmp_path / "first.wav", 5)
    (sent,) = service.submit_files([first], RequestOptions())
    copy = Path(shutil.copy(first, tmp_path / "copy.wav"))
    looked = service.look([first, copy], RequestOptions())
    assert set(looked.repeats) == {first, copy} and sent.job is not None
    linked = service.submit_files([copy], RequestOptions(), looked=looked)
    assert [(o.outcome, o.job.id if o.job else None) for o in linked] == [(Outcome.LINKED, sent.job.id)]
    (again,) = service.submit_files([copy], RequestOptions(), again=True, looked=looked)
    assert again.outcome == Outcome.SUBMITTED and again.job is not None and again.job.id != sent.job.id


# --- the file pane's model of its batches, without Textual --------------------------------------------


def test_the_batches_model_counts_files_and_says_refusals_once_they_are_over():
    from stt_tui.tui.batch import SubmitWork

    work = SubmitWork()
    work.gather(True)
    assert work.look().sending
    work.start(3)
    work.gather(False)
    work.advance("a.wav", "converting", 0.5)
    view = work.look()
    assert view.sending and view.label.endswith("a.wav (+2 queued)") and view.fraction == 0.5
    sent = job(7, JobState.RUNNING, RequestOptions())
    work.end(FileOutcome(Path("a.wav"), Outcome.SUBMITTED, sent))
    work.end(FileOutcome(Path("b.wav"), Outcome.REFUSED, message="b.wav cannot be sent: It holds no audio."))
    view = work.look()
    assert view.sent == (sent,) and view.refusals == []  # said once the batch is over, not before
    assert work.look().sent == ()  # a job sent is handed over once
    work.end(FileOutcome(Path("c.wav"), Outcome.LINKED, sent))
    view = work.look()
    assert not view.sending and view.label == "" and view.fraction is None
    assert view.refusals == [("b.wav", "b.wav cannot be sent: It holds no audio.")]
    assert work.look().refusals == []  # said once
    assert view.tally == {"submitted": 1, "refused": 1, "skipped": 1}
    assert work.job_ended(dataclasses.replace(sent, state=JobState.DONE))["done"] == 1
    work.start(1)  # a new batch once the last is over and no job runs: counted afresh
    assert work.look().tally == {}
