"""The job core against the real engine, with clocks that disagree and processes that vanish."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from stt_tui.history import History
from stt_tui.jobs.model import RETENTION_SECONDS, JobState, RequestOptions
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.service.submission import INTERRUPTED, INTERRUPTED_BEFORE_SENDING
from stt_tui.settings.config import builtin_profiles
from stt_tui.shared.paths import resolve_paths
from tests.support.audio_helpers import clip
from tests.support.engines import client_for, make_server
from tests.support.histories import sql_on

CARDS = clip("ps_cards_003.wav")
DAY = 86400.0


@pytest.fixture
def skewed(tmp_path, recognizer):
    """An engine whose clock runs 4 days ahead of this machine's, as a badly set server's would."""
    home = tmp_path / "home"
    paths = resolve_paths(home)
    server = make_server(
        tmp_path / "engine", recognizer, roots=[paths.outbox], clock=lambda: time.time() + 4 * DAY
    )
    paths.outbox.mkdir(parents=True)
    server.start()
    yield paths, server
    server.stop()


def service_on(paths, server, **kw) -> Service:
    service = Service(paths, builtin_profiles()["local"], History(paths.history), rand=random.Random(0), **kw)
    service.backend.use(client_for(server.address))
    return service


def test_retention_is_counted_on_the_service_clock_not_this_one(skewed):
    paths, server = skewed
    service = service_on(paths, server)
    job = service.submit(CARDS.path, RequestOptions())
    now = time.time()
    # Four days ahead, the job would read "expired" at once; measured, it has its three days.
    assert job.expires_at == pytest.approx(now + RETENTION_SECONDS, abs=30)
    assert service.history.clock_skew("local") == pytest.approx(4 * DAY, abs=30)
    (done,) = service.wait([job], timeout=120)
    assert done.state == JobState.DONE

    # An operation started elsewhere keeps the age the service gives it, on this machine's clock.
    with service.backend.client() as client:
        from tests.support.audio_helpers import lpcm_request, service_pcm

        op = client.recognize(lpcm_request(*service_pcm(CARDS.path)))
    imported = service.import_operation(op.id)
    assert imported.created_at == pytest.approx(time.time(), abs=30)
    service.close()


def test_waiting_is_timed_on_the_monotonic_clock_and_survives_a_clock_set_back(skewed):
    paths, server = skewed
    wall = [time.time()]
    ticks = [0.0]
    service = service_on(paths, server, clock=lambda: wall[0], monotonic=lambda: ticks[0])
    job = service.submit(CARDS.path, RequestOptions(), again=True)
    wall[0] -= 3600  # the clock is set back an hour while waiting

    def sleep(seconds: float) -> None:
        time.sleep(min(seconds, 0.2))
        ticks[0] += seconds  # both clocks move by what was slept; only the wall clock was set back
        wall[0] += seconds

    (done,) = service.wait([job], timeout=90, sleep=sleep)
    assert done.state == JobState.DONE  # polled at once, not an hour later
    assert ticks[0] < 90

    # A wall clock an hour behind does not end a timeout early either (exit 5 for a finished job).
    wall[0] -= 3600
    late = service.submit(CARDS.path, RequestOptions(), again=True)
    (done,) = service.wait([late], timeout=600, sleep=sleep)  # virtual seconds: a loaded machine is slow
    assert done.state == JobState.DONE
    service.close()


def test_an_interrupted_submission_says_whether_anything_was_sent(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    before = history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    sending = history.add_submitting(profile="local", file_path="/b.wav", options=RequestOptions())
    history.mark_sending(sending.id)
    dead = 2**22 + 7  # no such process
    with sql_on(tmp_path / "h.sqlite3") as db:
        db.execute("UPDATE jobs SET submitter_pid=?", (dead,))
    service = Service(resolve_paths(tmp_path / "home"), builtin_profiles()["local"], history)
    recovered = {j.id: j.last_error for j in service.recover_interrupted()}
    assert recovered == {before.id: INTERRUPTED_BEFORE_SENDING, sending.id: INTERRUPTED}


def test_checking_a_finished_job_says_there_is_nothing_to_ask(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    job = history.add_submitting(profile="local", file_path="/a.wav", options=RequestOptions())
    job = history.set_state(job.id, JobState.FAILED, error="no")
    service = Service(resolve_paths(tmp_path / "home"), builtin_profiles()["local"], history)
    with pytest.raises(UserError, match="is failed; there is nothing to ask"):
        service.refresh(job)
    with pytest.raises(UserError, match="has no transcript: it is failed: no"):
        service.export(job, "txt")


def test_a_job_forgotten_while_waiting_is_left_out(skewed):
    paths, server = skewed
    service = service_on(paths, server)
    first = service.submit(CARDS.path, RequestOptions())
    second = service.submit(Path(clip("ps_cards_001.wav").path), RequestOptions())
    service.history.forget(second.id)  # another process forgets it
    final = service.wait([first, second], timeout=120)
    assert [j.id for j in final] == [first.id] and final[0].state == JobState.DONE
    service.close()


def test_a_profile_switch_keeps_the_connection_of_a_call_in_flight(skewed):
    paths, server = skewed
    service = service_on(paths, server)
    job = service.submit(CARDS.path, RequestOptions())
    with service.backend.client() as client:
        service.disconnect()  # the TUI's poll loop switching profiles, while a submit still calls
        state = client.get_operation(job.operation_id or "")
    assert state.id == job.operation_id
    service.close()
