"""The engine over time: restarts, cancelling, expiry, large results, flaky and dead servers."""

from __future__ import annotations

import grpc
import pytest

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui.api import ServiceError
from stt_tui.engine.store import State, new_operation_id
from tests.support.audio_helpers import clip, lpcm_request, normalize, service_pcm, transcript
from tests.support.engines import client_for, make_server, wait_done

HOUR = 3600.0


class Clock:
    """A clock the test moves; the engine reads time only through it."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def jfk_request(**spec):
    pcm, rate, channels = service_pcm(clip("wcpp_jfk.wav").path)
    return lpcm_request(pcm, rate, channels, **spec)


def test_restarted_engine_answers_for_every_job_and_finishes_unfinished_ones(short_tmp, recognizer):
    first = make_server(short_tmp, recognizer)
    first.start()
    with client_for(first.address) as c:
        ids = [c.recognize(jfk_request()).id for _ in range(3)]
    first.stop()  # mid-work: the running job goes back in the queue, the others never started

    second = make_server(short_tmp, recognizer)
    unfinished = [i for i in ids if not second.engine.get(i).done]
    assert unfinished, "the first engine finished everything before stopping; nothing was re-queued"
    assert all(second.engine.get(i).state == State.QUEUED for i in unfinished)
    second.start()
    try:
        with client_for(second.address) as c:
            for op_id in ids:
                state = wait_done(c, op_id)
                assert "ask not what your country" in normalize(transcript(state.response))  # type: ignore[arg-type]
    finally:
        second.stop()


def test_cancel_stops_queued_work(short_tmp, recognizer):
    server = make_server(short_tmp, recognizer)
    server.start()
    try:
        with client_for(server.address) as c:
            ids = [c.recognize(jfk_request()).id for _ in range(3)]
            cancelled = c.cancel_operation(ids[-1])  # one worker: the last is still queued
            assert cancelled.done and cancelled.response is None
            assert cancelled.error.code == grpc.StatusCode.CANCELLED.value[0]
            assert wait_done(c, ids[0]).response is not None
            assert wait_done(c, ids[-1]).error.code == grpc.StatusCode.CANCELLED.value[0]
            # Its spooled audio is gone; the finished one's too.
            assert not list((short_tmp / "audio").glob(ids[-1] + "*"))
            # Cancelling a finished operation changes nothing.
            assert c.cancel_operation(ids[0]).response is not None
    finally:
        server.stop()


def test_results_expire_after_retention(short_tmp, recognizer):
    clock = Clock()
    server = make_server(short_tmp, recognizer, clock=clock)
    server.start()
    try:
        with client_for(server.address) as c:
            op_id = c.recognize(jfk_request()).id
            assert wait_done(c, op_id).response is not None
            clock.now += 72 * HOUR - 1
            assert c.get_operation(op_id).response is not None
            clock.now += 2
            with pytest.raises(ServiceError) as info:
                c.get_operation(op_id)
            assert info.value.code == grpc.StatusCode.NOT_FOUND
            assert server.engine.expire() == 1
            assert server.engine.store.get(op_id) is None
    finally:
        server.stop()


def test_retention_is_configurable(short_tmp, recognizer):
    clock = Clock()
    server = make_server(short_tmp, recognizer, clock=clock, retention_hours=1)
    server.start()
    try:
        with client_for(server.address) as c:
            op_id = c.recognize(jfk_request()).id
            wait_done(c, op_id)
            clock.now += HOUR
            with pytest.raises(ServiceError):
                c.get_operation(op_id)
    finally:
        server.stop()


def test_result_over_4_mb_reaches_the_client(short_tmp, recognizer):
    server = make_server(short_tmp, recognizer)
    server.start()
    try:
        # About 14 hours of two-channel speech, as the service would return it.
        words = [
            stt.WordInfo(
                word=f"word{i}",
                confidence=1.0,
                start_time={"seconds": i // 3},
                end_time={"seconds": i // 3, "nanos": 300_000_000},
            )
            for i in range(150_000)
        ]
        chunks = [
            stt.SpeechRecognitionResult(
                alternatives=[
                    stt.SpeechRecognitionAlternative(
                        text=" ".join(w.word for w in words[i : i + 100]), words=words[i : i + 100]
                    )
                ],
                channel_tag=1 + (i // 100) % 2,
            )
            for i in range(0, len(words), 100)
        ]
        big = stt.LongRunningRecognitionResponse(chunks=chunks).SerializeToString()
        assert len(big) > 4 * 2**20
        op_id = new_operation_id()
        store = server.engine.store
        store.add(op_id, spec=b"", audio_path="/nonexistent", audio_owned=False, deferred=False)
        store.finish(op_id, State.DONE, response=big)
        with client_for(server.address) as c:
            state = c.get_operation(op_id)
            assert state.response.ByteSize() == len(big)
            assert state.response.chunks[-1].alternatives[0].words[-1].word == "word149999"
        with client_for(server.address, max_receive_bytes=4 * 2**20) as small:
            with pytest.raises(ServiceError) as info:
                small.get_operation(op_id)
            assert "larger than the client's message limit of 4 MB" in str(info.value)
    finally:
        server.stop()


class FlakyInterceptor(grpc.ServerInterceptor):
    """Answers UNAVAILABLE to the first `failures` calls of Get, as a restarting load balancer would."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def intercept_service(self, continuation, handler_call_details):
        if not handler_call_details.method.endswith("/Get"):
            return continuation(handler_call_details)
        self.calls += 1
        if self.calls <= self.failures:
            return grpc.unary_unary_rpc_method_handler(
                lambda request, context: context.abort(grpc.StatusCode.UNAVAILABLE, "try again")
            )
        return continuation(handler_call_details)


def test_unavailable_is_retried_and_other_errors_are_not(short_tmp, recognizer):
    from stt_tui.engine.engine import Engine, EngineConfig
    from stt_tui.engine.server import EngineServer

    flaky = FlakyInterceptor(failures=2)
    config = EngineConfig(data_dir=short_tmp)
    server = EngineServer(config, "127.0.0.1:0", engine=Engine(config, recognizer), interceptors=[flaky])
    server.start()
    try:
        with client_for(server.address) as c:
            with pytest.raises(ServiceError) as info:
                c.get_operation("unknownunknownunknow")
            assert info.value.code == grpc.StatusCode.NOT_FOUND
            assert flaky.calls == 3  # two UNAVAILABLE answers retried, then NOT_FOUND not retried
            flaky.calls, flaky.failures = 0, 99
            with pytest.raises(ServiceError) as info:
                c.get_operation("unknownunknownunknow")
            assert info.value.code == grpc.StatusCode.UNAVAILABLE
            assert flaky.calls == 5  # gRPC's cap on attempts
            assert "Cannot reach the recognition service" in str(info.value)
    finally:
        server.stop()


def test_dead_server_is_one_sentence(short_tmp):
    with (
        client_for(f"unix:{short_tmp}/nobody.sock", retry_attempts=2) as c,
        pytest.raises(ServiceError) as info,
    ):
        c.get_operation("e03aaaaaaaaaaaaaaaaa")
    assert info.value.code == grpc.StatusCode.UNAVAILABLE
    message = str(info.value)
    assert message.startswith("Cannot reach the recognition service at unix:")
    assert "\n" not in message


def test_get_answers_while_a_job_runs(client):
    pcm, rate, channels = service_pcm(clip("vosk_lucier.wav").path)  # 100 s of speech
    op_id = client.recognize(lpcm_request(pcm, rate, channels)).id
    answers = [client.get_operation(op_id).done for _ in range(5)]
    assert answers[0] is False  # answered before the job could finish
    assert wait_done(client, op_id).response.chunks
