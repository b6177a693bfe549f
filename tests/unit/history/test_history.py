"""The history: schema and migrations, rows through a job's life, lookups, and several processes at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from stt_tui.history import SCHEMA_VERSION, History, HistoryError, JobNotFound
from stt_tui.jobs.model import RETENTION_SECONDS, JobState, RequestOptions
from stt_tui.jobs.schedule import budget_wait
from stt_tui.service.submission import INTERRUPTED, MAX_SUBMISSION_SECONDS, submission_interrupted


@pytest.fixture
def history(tmp_path):
    h = History(tmp_path / "h.sqlite3", clock=lambda: 1000.0)
    yield h
    h.close()


def submit(history: History, op_id: str | None = "abcdefghij0123456789", created: float = 1000.0, **kw):
    job = history.add_submitting(
        profile=kw.pop("profile", "local"),
        file_path=kw.pop("file_path", "/a/b.wav"),
        options=RequestOptions(),
        **kw,
    )
    if op_id is None:
        return job
    return history.mark_submitted(job.id, op_id, created, created + 10)


def test_a_new_file_is_at_the_current_schema_in_wal_mode(tmp_path, history):
    db = sqlite3.connect(tmp_path / "h.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_newer_schema_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "h.sqlite3"
    History(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(HistoryError, match="newer stt-tui"):
        History(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match="is damaged or not a history"):
        History(path)


def test_the_row_exists_before_the_call_and_gets_the_id_after(history):
    job = submit(history, None, file_size=123, probe={"codec": "opus"}, audio_seconds=5.0, channels=2)
    assert job.state == JobState.SUBMITTING and job.operation_id is None
    assert history.submissions() == [job]
    assert job.submitter_pid is not None
    done = history.mark_submitted(job.id, "e03abcdefghij0123456", 2000.0, 2010.0)
    assert done.state == JobState.RUNNING
    assert done.expires_at == 2000.0 + RETENTION_SECONDS
    assert done.probe == {"codec": "opus"} and done.channels == 2 and done.file_size == 123
    assert history.pollable("local") == [done]


def test_a_submission_left_by_a_dead_process_is_recognized():
    class Row:
        state = JobState.SUBMITTING
        created_at = 0.0
        submitter_pid = 999_999_999

    assert submission_interrupted(Row, 10.0, lambda pid: False)  # type: ignore[arg-type]
    assert not submission_interrupted(Row, 10.0, lambda pid: True)  # type: ignore[arg-type]
    assert submission_interrupted(Row, MAX_SUBMISSION_SECONDS + 1, lambda pid: True)  # type: ignore[arg-type]  # a reused pid
    assert INTERRUPTED.startswith("Interrupted while submitting")


def test_the_stored_result_is_the_whole_operation(history):
    job = submit(history)
    stored = history.store_result(job.id, '{"id": "x", "done": true}')
    assert stored.state == JobState.DONE and stored.has_result and stored.done_at == 1000.0
    assert stored.next_poll_at is None
    assert history.result(job.id).document() == '{"id": "x", "done": true}'
    assert history.pollable("local") == []


def test_find_by_number_id_or_prefix(history):
    a = submit(history, "abcdefghij0123456789")
    b = submit(history, "abcdxxxxxxxxxxxxxxxx")
    assert history.find(str(a.id)) == a
    assert history.find(f"#{b.id}") == b
    assert history.find("abcdefghij0123456789") == a
    assert history.find("abcdx") == b
    with pytest.raises(JobNotFound, match="matches 2 jobs"):
        history.find("abcd")
    with pytest.raises(JobNotFound, match="No job"):
        history.find("zzz")
    with pytest.raises(JobNotFound, match="No job #99"):
        history.find("99")
    with pytest.raises(JobNotFound):
        history.find("a%")  # LIKE wildcards are taken literally


def test_import_is_idempotent_per_profile(history):
    one = history.import_operation(
        profile="local",
        operation_id="op1aaaaaaaaaaaaaaaaa",
        options=RequestOptions(),
        created_at=5.0,
        next_poll_at=5.0,
    )
    again = history.import_operation(
        profile="local",
        operation_id="op1aaaaaaaaaaaaaaaaa",
        options=RequestOptions(),
        created_at=9.0,
        next_poll_at=9.0,
    )
    assert again == one and len(history.jobs()) == 1
    other = history.import_operation(
        profile="yandex",
        operation_id="op1aaaaaaaaaaaaaaaaa",
        options=RequestOptions(),
        created_at=5.0,
        next_poll_at=5.0,
    )
    assert other.id != one.id
    assert [j.id for j in history.jobs("local")] == [one.id]


def test_forget_removes_the_result_too(history):
    job = submit(history)
    history.store_result(job.id, "{}")
    history.forget(job.id)
    assert history.result(job.id) is None
    with pytest.raises(JobNotFound):
        history.get(job.id)


def test_a_payload_stays_while_another_unfinished_job_needs_it(history):
    a = submit(history, "a" * 20, payload_path="/outbox/x.pcm")
    b = submit(history, "b" * 20, payload_path="/outbox/x.pcm")
    assert history.payload_in_use("/outbox/x.pcm", except_job=a.id)
    history.set_state(b.id, JobState.FAILED, error="no")
    assert not history.payload_in_use("/outbox/x.pcm", except_job=a.id)


def test_quota_events_are_counted_and_old_ones_dropped(history):
    for t in (0.0, 100.0, 90_000.0, 90_100.0):
        history.record_call("cloud", "check", t)
    assert history.calls_since("cloud", "check", 0.0) == 2  # a day later, the first two went
    assert history.nth_latest_call("cloud", "check", 1, 90_200.0, 90_200.0) == 90_100.0
    assert history.nth_latest_call("cloud", "check", 2, 90_200.0, 90_200.0) == 90_000.0
    assert history.nth_latest_call("cloud", "check", 3, 90_200.0, 90_200.0) is None
    assert history.nth_latest_call("cloud", "check", 1, 150.0, 90_200.0) == 90_100.0
    assert history.nth_latest_call("cloud", "check", 1, 50.0, 90_200.0) is None  # out of the window
    assert history.calls_since("local", "check", 0.0) == 0


def test_calls_stamped_by_a_clock_since_set_back_age_out_from_now(history):
    """Five v3 checks a second, then the clock set back an hour: the checks count as made now and leave
    the one-second window a second later (they stopped every check for the hour)."""
    for t in range(5):
        history.record_call("cloud", "check_v3", 10_000.0 + t / 10)
    history.record_call("local", "check_v3", 10_000.0)  # another profile's stamps are its own
    set_back = 10_000.0 - 3600
    nth = history.nth_latest_call("cloud", "check_v3", 5, 1.0, set_back)
    assert nth == set_back and budget_wait(nth, set_back, 1.0) == 1.0  # full now: one second to wait
    assert history.nth_latest_call("cloud", "check_v3", 5, 1.0, set_back + 1.5) is None  # then free
    assert history.calls_since("cloud", "check_v3", set_back) == 5  # counted still, none dropped
    assert history.nth_latest_call("local", "check_v3", 1, 1.0, 10_000.5) == 10_000.0


def _writer(path: str, n: int, tag: str) -> None:
    h = History(Path(path))
    for i in range(n):
        job = h.add_submitting(profile="local", file_path=f"/{tag}/{i}.wav", options=RequestOptions())
        h.mark_submitted(job.id, f"{tag}{i:019d}", 1.0, 2.0)
        h.record_call("local", "check")
    h.close()


def test_several_processes_write_at_once(tmp_path):
    path = tmp_path / "h.sqlite3"
    History(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), 150, tag)) for tag in ("p", "q", "r")]
    for p in procs:
        p.start()
    reader = History(path)
    seen = 0
    while any(p.is_alive() for p in procs):
        seen = max(seen, len(reader.jobs()))  # reading while they write never fails
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    jobs = reader.jobs()
    assert len(jobs) == 450 and len({j.operation_id for j in jobs}) == 450
    assert all(j.state == JobState.RUNNING for j in jobs)
    assert reader.calls_since("local", "check", 0.0) == 450
    reader.close()


def test_find_refuses_an_empty_reference(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    with pytest.raises(JobNotFound, match="Give a job number"):
        history.find("")


def test_a_history_with_a_version_and_no_tables_is_one_sentence(tmp_path):
    import sqlite3

    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=3")
    db.close()
    with pytest.raises(HistoryError, match="damaged"):
        History(path)


def test_an_answer_after_another_process_stored_the_end_changes_nothing(history, tmp_path):
    """Two processes poll one v3 job: the first stores the result and has the service delete it, the
    second, which saw the operation done a moment before, is told the result is not found. That answer
    turned the job done and saved into a failed one (seen in a watch racing two submits)."""
    other = History(tmp_path / "h.sqlite3", clock=lambda: 1001.0)  # the second process's connection
    try:
        job = submit(history)
        assert history.store_end(job.id, '{"id": "x", "done": true}', recognition_json="[]") is not None
        assert other.end_running(job.id, JobState.FAILED, error="Not found") is None
        assert other.store_end(job.id, "{}", state=JobState.FAILED, error="late") is None
        late = other.schedule(job.id, 5000.0, error="late")
        assert (late.state, late.last_error, late.next_poll_at) == (JobState.DONE, None, None)
        kept = history.result(job.id)
        assert kept is not None and kept.operation_json.startswith('{"id"') and other.result(job.id) == kept
        running = submit(history, op_id="k" * 20)  # a job still running takes the answer
        ended = other.end_running(running.id, JobState.EXPIRED, error="gone")
        assert ended is not None and ended.state == JobState.EXPIRED
        other.forget(running.id)
        with pytest.raises(JobNotFound):
            history.end_running(running.id, JobState.FAILED)
    finally:
        other.close()
