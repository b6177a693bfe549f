"""Folders, content and transcripts beside the audio: the deciding functions, and the writes they guard."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from stt_tui.audio.folders import is_temporary, matches, media_files, visible, wanted
from stt_tui.history import History
from stt_tui.jobs.model import Job, JobState, Request, RequestOptions, differences
from stt_tui.outputs.beside import BesideError, Deliverer, beside_path, write_beside
from stt_tui.outputs.export import parse_formats
from stt_tui.service.content import AudioStatus, ContentIndex, Seen, known_from, statuses_from
from stt_tui.service.watch import Steady
from stt_tui.settings.config import ConfigError, parse_config
from stt_tui.shared.atomic import create_whole
from stt_tui.tui.notices import refusal_text
from stt_tui.tui.screens.same_audio import same_audio_text
from tests.support.transcripts import operation_json


def test_names_a_folder_submit_or_a_watch_takes():
    assert wanted("talk.wav") and wanted("Episode 3.MP3")
    for name in ("talk.wav.part", "talk.wav.crdownload", ".talk.wav", "~$talk.wav", "notes.txt", "x.tmp"):
        assert not wanted(name), name
    assert is_temporary("movie.mp4.filepart") and not is_temporary("movie.mp4")


def test_patterns_are_globs_or_words():
    assert matches("ep12-interview.wav", "*.wav") and not matches("ep12-interview.mp3", "*.wav")
    assert matches("ep12-interview.wav", "ep1?-*") and not matches("ep2-interview.wav", "ep1?-*")
    assert matches("Ep12 Interview.wav", "interview ep") and not matches("ep12.wav", "interview")
    assert matches("anything", "")
    assert visible(Path("ep1.wav"), is_dir=False, show_all=False, show_hidden=False, name_filter="ep")
    assert not visible(Path("talk.wav"), is_dir=False, show_all=False, show_hidden=False, name_filter="ep")
    assert visible(Path("talks"), is_dir=True, show_all=False, show_hidden=False, name_filter="ep")


def test_media_files_lists_audio_recursively_on_request_and_skips_hidden_folders(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"x")
    (tmp_path / "b.txt").write_bytes(b"x")
    (tmp_path / "c.mp3.part").write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.flac").write_bytes(b"x")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "e.wav").write_bytes(b"x")
    (tmp_path / "loop").symlink_to(tmp_path)  # not followed: no endless walk
    assert [p.name for p in media_files(tmp_path)] == ["a.wav"]
    assert [p.name for p in media_files(tmp_path, recursive=True)] == ["a.wav", "d.flac"]
    with pytest.raises(OSError):
        media_files(tmp_path / "missing")


def test_a_file_is_steady_once_size_and_time_held_for_the_settle_time():
    steady = Steady(settle=3.0)
    f = Path("/drop/talk.wav")
    assert steady.update({f: (100, 1)}, 0.0) == []
    assert steady.update({f: (200, 2)}, 1.0) == []  # still growing
    assert steady.update({f: (300, 3)}, 2.0) == []
    assert steady.update({f: (300, 3)}, 4.9) == [] and steady.settling
    assert steady.update({f: (300, 3)}, 5.0) == [f]  # 3 s unchanged
    assert steady.update({f: (300, 3)}, 9.0) == []  # given once
    assert steady.update({f: (400, 4)}, 10.0) == []  # re-recorded: watched again
    assert steady.update({f: (400, 4)}, 13.0) == [f]
    empty = Path("/drop/empty.wav")
    assert steady.update({empty: (0, 1)}, 20.0) == [] and steady.update({empty: (0, 1)}, 30.0) == []
    steady.again(f)
    assert steady.update({f: (400, 4)}, 31.0) == [] and steady.update({f: (400, 4)}, 34.0) == [f]


def job(id: int, state: JobState, has_result: bool = False) -> Job:
    return Job(id, "local", state, f"/a/{id}.wav", created_at=0, has_result=has_result)


def test_what_the_jobs_of_one_recording_come_to():
    assert known_from([]) is None
    k = known_from([job(1, JobState.FAILED), job(2, JobState.DONE, True), job(3, JobState.RUNNING)])
    assert k is not None and k.seen == Seen.DONE and k.job.id == 2 and k.would_repeat
    k = known_from([job(1, JobState.DONE, True), job(4, JobState.DONE, True)])
    assert k is not None and k.job.id == 4  # the newest transcript
    k = known_from([job(1, JobState.FAILED), job(3, JobState.SUBMITTING)])
    assert k is not None and k.seen == Seen.RUNNING
    k = known_from([job(1, JobState.FAILED), job(2, JobState.CANCELLED, True)])
    assert k is not None and k.seen == Seen.FAILED and not k.would_repeat  # failed audio goes again unasked


# Each option that changes what the service returns, with a value other than the default.
OTHER_OPTIONS = {
    "language": "ru-RU",
    "model": "general:rc",
    "profanity_filter": True,
    "literature_text": True,
    "raw_results": True,
    "speaker_labeling": True,
    "phone_formatting": False,
}


@pytest.mark.parametrize("name", sorted(OTHER_OPTIONS))
def test_the_same_audio_with_another_option_is_new_work(name):
    done = Job(1, "local", JobState.DONE, "/a/talk.wav", created_at=0, has_result=True)
    other = dataclasses.replace(done.options, **{name: OTHER_OPTIONS[name]})  # type: ignore[arg-type]
    assert known_from([done], Request.of("local", "v2", other)) is None  # nothing to ask about: sent
    known = known_from([done], Request.of("local", "v2", done.options))
    assert known is not None and known.would_repeat and known.job.id == 1


def test_a_request_is_its_profile_api_and_options_as_the_service_reads_them():
    asked = Request.of("local", "v3", RequestOptions("auto", languages=("ru-RU", "en-US")))
    assert asked == Request.of("local", "v3", RequestOptions("AUTO", languages=("en-us", "ru-RU", "ru-RU")))
    assert asked != Request.of("local", "v3", RequestOptions("auto"))  # the list changes what is detected
    assert asked != Request.of("local", "v3", RequestOptions("auto", languages=("ru-RU",)))
    assert asked != Request.of("local", "v2", asked.options)  # the API
    assert asked != Request.of("yandex", "v3", asked.options)  # the profile
    assert Request.of("local", "v2", RequestOptions("EN-us")) == Request.of("local", "v2", RequestOptions())
    done = Job(1, "local", JobState.DONE, "/a/talk.wav", created_at=0, has_result=True, api="v3",
               options=RequestOptions("auto", languages=("ru-RU", "en-US")))  # fmt: skip
    known = known_from([done], asked)
    assert known is not None and known.job.id == 1


def test_what_an_option_changed_is_said_in_words():
    before = RequestOptions("en-US")
    assert differences(before, before) == []
    assert differences(before, RequestOptions("ru-RU")) == ["en-US → ru-RU"]
    assert differences(before, RequestOptions("auto", languages=("en-US", "ru-RU"))) == [
        "en-US → auto (en-US, ru-RU)"
    ]
    both = RequestOptions("en-US", model="general:rc", literature_text=True, phone_formatting=False)
    assert differences(before, both) == ["model general:rc", "literature text on", "phone formatting off"]
    assert differences(before, before, ("v2", "v3")) == ["API v2 → v3"]


def test_the_markers_say_each_language_a_file_was_done_in():
    def asked(id: int, language: str, state: JobState, has_result: bool = False) -> Job:
        options = RequestOptions(language)
        return Job(id, "local", state, "/a/x.wav", created_at=0, has_result=has_result, options=options)

    jobs = [
        asked(1, "en-US", JobState.DONE, True),
        asked(2, "ru-RU", JobState.FAILED),
        asked(3, "ru-RU", JobState.RUNNING),
        asked(4, "en-US", JobState.FAILED),
    ]
    assert statuses_from(jobs) == (AudioStatus(Seen.DONE, "en-US"), AudioStatus(Seen.RUNNING, "ru-RU"))
    assert statuses_from([]) == ()
    found = dataclasses.replace(asked(5, "auto", JobState.DONE, True), detected_language="ru-RU")
    running = asked(6, "auto", JobState.RUNNING)  # the same request again: the done one says it
    assert statuses_from([found, running]) == (AudioStatus(Seen.DONE, "auto ru-RU"),)  # as the list says
    assert statuses_from([running]) == (AudioStatus(Seen.RUNNING, "auto"),)


def test_export_formats_as_written_in_config_and_on_the_command_line():
    assert parse_formats(["txt,srt"]) == ("txt", "srt")
    assert parse_formats(["TXT", ".vtt", "txt"]) == ("txt", "vtt")
    assert parse_formats(["none"]) == ()
    with pytest.raises(ValueError, match="'docx' is not an export format"):
        parse_formats(["txt,docx"])
    assert beside_path(Path("/a/talk.2024.wav"), "srt") == Path("/a/talk.2024.srt")
    config = parse_config('[profiles.local]\nauto_export = ["txt", "srt"]\n', Path("/c/config.toml"))
    assert config.profiles["local"].auto_export == ("txt", "srt")
    with pytest.raises(ConfigError, match=r"auto_export: 'pdf' is not an export format"):
        parse_config('[profiles.local]\nauto_export = ["pdf"]\n', Path("/c/config.toml"))
    with pytest.raises(ConfigError, match="must be a list of formats"):
        parse_config("[profiles.local]\nauto_export = 3\n", Path("/c/config.toml"))


@pytest.fixture
def history(tmp_path):
    h = History(tmp_path / "history.sqlite3")
    yield h
    h.close()


def test_written_beside_only_where_nothing_of_the_users_is(history, tmp_path):
    target = tmp_path / "talk.txt"
    write_beside(history, target, "first\n", 1)
    assert target.read_text() == "first\n"
    assert oct(target.stat().st_mode & 0o777) != "0o600"  # a document of the user's, not a private file
    write_beside(history, target, "second\n", 1)  # its own file, unchanged since: replaced
    assert target.read_text() == "second\n"
    target.write_text("my notes\n")  # changed by the user: never replaced again
    with pytest.raises(BesideError, match="talk.txt is already there and is not a transcript stt-tui wrote"):
        write_beside(history, target, "third\n", 1)
    assert target.read_text() == "my notes\n"
    theirs = tmp_path / "theirs.srt"
    theirs.write_text("1\n")
    with pytest.raises(BesideError):
        write_beside(history, theirs, "x", 1)
    assert theirs.read_text() == "1\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


class Witness(History):
    """The real history, which also looks at the transcript each time it is told of it."""

    def __init__(self, path: Path, target: Path) -> None:
        super().__init__(path)
        self.target = target
        self.seen: list[bytes | None] = []

    def record_written(self, path: str, sha256: str, job_id: int) -> None:
        self.seen.append(self.target.read_bytes() if self.target.exists() else None)
        super().record_written(path, sha256, job_id)


def test_a_transcript_appears_beside_the_audio_whole_never_empty(tmp_path):
    """A script waiting for talk.txt reads it the moment it appears: it must hold the whole text then
    (the name used to be claimed empty, then filled, with the history written in between)."""
    target = tmp_path / "talk.txt"
    history = Witness(tmp_path / "history.sqlite3", target)
    try:
        write_beside(history, target, "the whole transcript\n", 1)
        write_beside(history, target, "corrected\n", 1)
    finally:
        history.close()
    assert history.seen == [b"the whole transcript\n", b"corrected\n"]
    leftover = tmp_path / "left.txt"
    leftover.symlink_to(tmp_path / "nowhere")  # a dangling link holds the name: left, never followed
    with pytest.raises(FileExistsError):
        create_whole(leftover, b"x")
    assert leftover.is_symlink() and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


def test_a_place_that_cannot_be_written_is_one_sentence_and_leaves_nothing(history, tmp_path):
    (tmp_path / "card").write_text("a file where a folder should be")
    with pytest.raises(BesideError, match=r"^talk.txt was not written: Not a directory\.$"):
        write_beside(history, tmp_path / "card" / "talk.txt", "x", 1)
    assert history.written_hash(str(tmp_path / "card" / "talk.txt")) is None


def test_deliveries_are_made_once_whoever_notices(history, tmp_path):
    audio = tmp_path / "talk.wav"
    audio.write_bytes(b"RIFF")
    copy = tmp_path / "copy.wav"
    copy.write_bytes(b"RIFF")
    (tmp_path / "copy.txt").write_text("mine\n")
    j = history.add_submitting(profile="local", file_path=str(audio), options=RequestOptions())
    history.add_delivery(j.id, str(audio), ("txt", "srt"))
    history.add_delivery(j.id, str(copy), ("txt",))
    history.mark_submitted(j.id, "op1", time.time(), time.time())
    told, warned = [], []  # type: ignore[var-annotated]
    deliverer = Deliverer(history, told.append, warned.append)
    deliverer.deliver_pending()
    assert not (tmp_path / "talk.txt").exists()  # still running: nothing to write
    done = history.store_result(j.id, operation_json())
    other = Deliverer(History(history.path), [].append, [].append)  # type: ignore[arg-type]
    deliverer.deliver(done)
    other.deliver(done)  # a second process noticing the same finish writes nothing again
    other.deliver_pending()
    assert (tmp_path / "talk.txt").read_text().startswith("Channel 1: hello there")
    assert (tmp_path / "talk.srt").exists()
    assert (tmp_path / "copy.txt").read_text() == "mine\n"
    assert told == ["Job #1: wrote talk.txt, talk.srt beside talk.wav."]
    assert len(warned) == 1 and "copy.txt is already there" in warned[0]
    outcomes = [d.outcome for d in history.deliveries(j.id)]
    assert outcomes[0] == "wrote talk.txt, talk.srt" and "nothing written" in (outcomes[1] or "")


def test_content_is_hashed_once_while_the_file_stays_the_same(history, tmp_path):
    a = tmp_path / "a.wav"
    a.write_bytes(b"same audio")
    b = tmp_path / "b.wav"
    b.write_bytes(b"same audio")
    c = tmp_path / "c.wav"
    c.write_bytes(b"other size")
    index = ContentIndex(history)
    j = history.add_submitting(
        profile="local", file_path=str(a), options=RequestOptions(), file_size=10, file_hash=index.sha256(a)
    )
    asked = j.request
    sha = index.sha256(a)
    assert index.known_by_path([a, b], asked) == {a: index.known(sha, asked), b: index.known(sha, asked)}
    known = index.known_by_path([a], asked)[a]
    assert known.seen == Seen.RUNNING and known.job.id == j.id
    running = (AudioStatus(Seen.RUNNING, "en-US"),)
    assert index.statuses([a, b]) == {a: running, b: running}
    hashed = []
    import stt_tui.service.content as content

    real = content.file_hash
    content.file_hash = lambda path, progress=None: hashed.append(path) or real(path)  # type: ignore[func-returns-value]
    try:
        index.known_by_path([a, b, tmp_path / "gone.wav"], asked)
        assert hashed == []  # cached by path, size and time
        b.write_bytes(b"new audio!")  # same size, new time: hashed again, and no longer the same audio
        os.utime(b, ns=(time.time_ns(), time.time_ns() + 10**9))
        assert b not in index.known_by_path([a, b], asked) and len(hashed) == 1
        c.write_bytes(b"a different size entirely")
        assert c not in index.statuses([c]) and len(hashed) == 1  # a size never sent is not even hashed
    finally:
        content.file_hash = real


def test_what_the_tui_says_about_a_batch():
    text = refusal_text([("a.wav", "a.wav cannot be sent: It has 3 channels"), ("b.mp3", "not readable")])
    assert text == "a.wav cannot be sent: It has 3 channels\nb.mp3: not readable"
    many = refusal_text([(f"{n}.wav", f"bad {n}") for n in range(9)])
    assert many.endswith("and 3 more") and many.count("\n") == 6
    # one reason for every file (no credentials) is said once, not once per file (issue 33)
    assert refusal_text([(f"{n}.wav", "no credentials") for n in range(9)]) == "no credentials"
    shared = refusal_text([("a.wav", "x"), ("b.wav", "y"), *[(f"{n}.wav", "z") for n in range(5)]])
    assert shared == "a.wav: x\nb.wav: y\n0.wav, 1.wav, 2.wav and 2 more: z"
    known = known_from([job(3, JobState.DONE, True)])
    assert known is not None
    said = same_audio_text({Path("/a/x.wav"): known}, 10)
    assert said.startswith("1 of 10 files holds audio sent before with these options:")
    assert same_audio_text({Path("/a/x.wav"): known}, 1).startswith("1 of 1 file holds audio")  # issue 33
    two = {Path("/a/x.wav"): known, Path("/a/y.wav"): known}
    assert same_audio_text(two, 2).startswith("2 of 2 files hold ")
    assert "x.wav: job #3, transcribed" in said


def test_a_delivery_claimed_by_a_process_that_died_is_made_by_the_next(tmp_path):
    now = [1000.0]
    history = History(tmp_path / "history.sqlite3", clock=lambda: now[0])
    audio = tmp_path / "talk.wav"
    j = history.add_submitting(profile="local", file_path=str(audio), options=RequestOptions())
    history.add_delivery(j.id, str(audio), ("txt",))
    history.mark_submitted(j.id, "op1", now[0], now[0])
    history.store_result(j.id, operation_json())
    (delivery,) = history.pending_deliveries()
    assert history.claim_delivery(delivery.id)  # ... and the process is killed before it writes
    assert history.pending_deliveries() == [] and not history.claim_delivery(delivery.id)
    now[0] += 61
    Deliverer(history, [].append, [].append).deliver_pending()  # type: ignore[arg-type]
    assert (tmp_path / "talk.txt").read_text().startswith("Channel 1: hello there")
    now[0] += 3600
    assert history.pending_deliveries() == []  # made: never again
    history.close()


def test_a_watch_refuses_a_link_to_a_file_outside_its_folder(tmp_path):
    """Whoever can write into a watched folder cannot make the watch send a file that lies elsewhere (and
    write its transcript beside it there)."""
    from stt_tui.service.facade import Service
    from stt_tui.service.watch import FolderWatch, WatchEvent
    from stt_tui.settings.config import load_profile
    from stt_tui.shared.paths import resolve_paths

    private = tmp_path / "private"
    private.mkdir()
    (private / "meeting.wav").write_bytes(b"RIFF")
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "leak.wav").symlink_to(private / "meeting.wav")
    service = Service.open(resolve_paths(tmp_path / "home"), load_profile(None))
    seen: list[WatchEvent] = []
    try:
        FolderWatch(service, drop, RequestOptions(), report=seen.append).handle(drop / "leak.wav")
        assert [(e.kind, e.path.name) for e in seen] == [("refused", "leak.wav")]
        assert "outside" in (seen[0].message or "") and service.history.count() == 0
    finally:
        service.close()
    assert sorted(p.name for p in private.iterdir()) == ["meeting.wav"]
