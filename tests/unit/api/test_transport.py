"""Pure parts of the client transport: TLS policy, credentials, error sentences, operation decoding."""

from __future__ import annotations

import json

import grpc
import pytest
from google.protobuf.any_pb2 import Any

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api import (
    RESPONSE_TYPE_URL,
    ApiKey,
    ChannelSettings,
    IamToken,
    InsecureTargetError,
    NoAuth,
    ProtocolError,
    decode_operation,
)
from stt_tui.api.channel import DEFAULT_MAX_RECEIVE_BYTES, is_local_target
from stt_tui.api.client import submit_timeout
from stt_tui.api.errors import explain


@pytest.mark.parametrize(
    ("target", "local"),
    [
        ("unix:/tmp/engine.sock", True),
        ("unix-abstract:stt", True),
        ("127.0.0.1:50051", True),
        ("127.8.9.10:1", True),
        ("localhost:50051", True),
        ("[::1]:50051", True),
        ("transcribe.api.cloud.yandex.net:443", False),
        ("10.0.0.5:50051", False),
        ("0.0.0.0:50051", False),
        ("localhost.evil.com:443", False),
    ],
)
def test_local_targets(target, local):
    assert is_local_target(target) is local


def test_tls_by_default_off_this_machine_and_plaintext_refused_there():
    assert ChannelSettings("transcribe.api.cloud.yandex.net:443").use_tls() is True
    assert ChannelSettings("127.0.0.1:5000").use_tls() is False
    assert ChannelSettings("127.0.0.1:5000", tls=True).use_tls() is True
    with pytest.raises(InsecureTargetError, match="without TLS"):
        ChannelSettings("operation.api.cloud.yandex.net:443", tls=False).use_tls()


def test_channel_options_raise_the_receive_limit_and_configure_retries():
    options = dict(ChannelSettings("127.0.0.1:1").options())
    assert options["grpc.max_receive_message_length"] == DEFAULT_MAX_RECEIVE_BYTES >= 256 * 2**20
    assert options["grpc.max_send_message_length"] > 2**30
    policy = json.loads(options["grpc.service_config"])["methodConfig"][0]["retryPolicy"]  # type: ignore[arg-type]
    assert policy["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert (
        dict(ChannelSettings("127.0.0.1:1", max_receive_bytes=10).options())[
            "grpc.max_receive_message_length"
        ]
        == 10
    )


def test_credentials_metadata_and_secrecy():
    assert ApiKey("AQVNsecret").metadata() == (("authorization", "Api-Key AQVNsecret"),)
    assert IamToken("t1.secret").metadata() == (("authorization", "Bearer t1.secret"),)
    assert NoAuth().metadata() == ()
    for cred in (ApiKey("AQVNsecret"), IamToken("t1.secret")):
        assert "secret" not in repr(cred) and "secret" not in str(cred) and "secret" not in f"{cred!r}"
    with pytest.raises(ValueError):
        ApiKey("  ")


@pytest.mark.parametrize(
    ("code", "details", "expected"),
    [
        (grpc.StatusCode.UNAUTHENTICATED, "Unknown api key", "rejected the credentials"),
        (grpc.StatusCode.PERMISSION_DENIED, "", "ai.speechkit-stt.user"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "Quota limit exceeded", "Quota exceeded"),
        (
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "Received message larger than max (5 vs. 4)",
            "larger than the client's",
        ),
        (grpc.StatusCode.NOT_FOUND, "Operation x not found", "expired"),
        (grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses", "Cannot reach"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "", "did not answer within 30 s"),
        (
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid audio received",
            "refused to submit the audio: Invalid audio received",
        ),
        (grpc.StatusCode.UNIMPLEMENTED, "", "does not speak the SpeechKit API"),
        (grpc.StatusCode.INTERNAL, "boom", "boom (INTERNAL)"),
    ],
)
def test_every_error_is_one_sentence(code, details, expected):
    sentence = explain(code, details, target="host:443", action="submit the audio", timeout=30)
    assert expected in sentence
    assert sentence.endswith(".") and "\n" not in sentence


def test_long_details_are_cut():
    sentence = explain(grpc.StatusCode.INTERNAL, "x" * 5000, target="t", action="a")
    assert len(sentence) < 400


def test_submit_timeout_grows_with_the_upload():
    assert submit_timeout(30, 0) == 30
    assert submit_timeout(30, 100 * 2**20) == 80


def _op(**kw) -> operation_pb2.Operation:
    return operation_pb2.Operation(id="e03aaaaaaaaaaaaaaaaa", **kw)


def test_decode_running_done_and_failed():
    running = decode_operation(_op(done=False))
    assert (running.done, running.response, running.error) == (False, None, None)

    done = _op(done=True)
    done.response.Pack(
        stt.LongRunningRecognitionResponse(chunks=[stt.SpeechRecognitionResult(channel_tag=2)])
    )
    state = decode_operation(done)
    assert done.response.type_url == RESPONSE_TYPE_URL
    assert state.response.chunks[0].channel_tag == 2

    failed = _op(done=True)
    failed.error.code, failed.error.message = 3, "Invalid audio received"
    assert decode_operation(failed).error.message == "Invalid audio received"


def test_decode_refuses_broken_operations():
    wrong = _op(done=True, response=Any(type_url="type.googleapis.com/google.protobuf.Empty"))
    with pytest.raises(ProtocolError, match="google.protobuf.Empty"):
        decode_operation(wrong)
    with pytest.raises(ProtocolError, match="neither"):
        decode_operation(_op(done=True))
    with pytest.raises(ProtocolError, match="without an id"):
        decode_operation(operation_pb2.Operation(done=False))
