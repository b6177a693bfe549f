"""The wire format: generated modules in sync with proto/, and every name and number as the service has it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from google.protobuf.descriptor import FieldDescriptor as F

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2 as iam_pb2
from stt_tui._proto.yandex.cloud.operation import operation_pb2, operation_service_pb2

ROOT = Path(__file__).resolve().parents[3]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_proto", ROOT / "tools" / "gen_proto.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["gen_proto"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_modules_match_proto_sources(tmp_path):
    gen = _load_generator()
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in gen.generate(tmp_path)}
    checked_in_dir = ROOT / "src" / "stt_tui" / "_proto"
    checked_in = {p.relative_to(checked_in_dir): p.read_bytes() for p in checked_in_dir.rglob("*_pb2*.py*")}
    assert sorted(fresh) == sorted(checked_in), "a proto was added or removed without regenerating"
    stale = [str(p) for p in fresh if fresh[p] != checked_in[p]]
    assert not stale, f"regenerate with `python tools/gen_proto.py`: {stale} differ"


# (message full name, field name, number, type, label) as in the facts sheet.
V2 = "yandex.cloud.ai.stt.v2."
OP = "yandex.cloud.operation."
IAM = "yandex.cloud.iam.v1."
FIELDS = [
    (V2 + "LongRunningRecognitionRequest", "config", 1, F.TYPE_MESSAGE, V2 + "RecognitionConfig"),
    (V2 + "LongRunningRecognitionRequest", "audio", 2, F.TYPE_MESSAGE, V2 + "RecognitionAudio"),
    (V2 + "RecognitionConfig", "specification", 1, F.TYPE_MESSAGE, V2 + "RecognitionSpec"),
    (V2 + "RecognitionConfig", "folder_id", 2, F.TYPE_STRING, None),
    (V2 + "RecognitionAudio", "content", 1, F.TYPE_BYTES, None),
    (V2 + "RecognitionAudio", "uri", 2, F.TYPE_STRING, None),
    (V2 + "RecognitionSpec", "audio_encoding", 1, F.TYPE_ENUM, V2 + "RecognitionSpec.AudioEncoding"),
    (V2 + "RecognitionSpec", "sample_rate_hertz", 2, F.TYPE_INT64, None),
    (V2 + "RecognitionSpec", "language_code", 3, F.TYPE_STRING, None),
    (V2 + "RecognitionSpec", "profanity_filter", 4, F.TYPE_BOOL, None),
    (V2 + "RecognitionSpec", "model", 5, F.TYPE_STRING, None),
    (V2 + "RecognitionSpec", "partial_results", 7, F.TYPE_BOOL, None),
    (V2 + "RecognitionSpec", "single_utterance", 8, F.TYPE_BOOL, None),
    (V2 + "RecognitionSpec", "audio_channel_count", 9, F.TYPE_INT64, None),
    (V2 + "RecognitionSpec", "raw_results", 10, F.TYPE_BOOL, None),
    (V2 + "RecognitionSpec", "literature_text", 11, F.TYPE_BOOL, None),
    (V2 + "LongRunningRecognitionResponse", "chunks", 1, F.TYPE_MESSAGE, V2 + "SpeechRecognitionResult"),
    (V2 + "SpeechRecognitionResult", "alternatives", 1, F.TYPE_MESSAGE, V2 + "SpeechRecognitionAlternative"),
    (V2 + "SpeechRecognitionResult", "channel_tag", 2, F.TYPE_INT64, None),
    (V2 + "SpeechRecognitionAlternative", "text", 1, F.TYPE_STRING, None),
    (V2 + "SpeechRecognitionAlternative", "confidence", 2, F.TYPE_FLOAT, None),
    (V2 + "SpeechRecognitionAlternative", "words", 3, F.TYPE_MESSAGE, V2 + "WordInfo"),
    (V2 + "WordInfo", "start_time", 1, F.TYPE_MESSAGE, "google.protobuf.Duration"),
    (V2 + "WordInfo", "end_time", 2, F.TYPE_MESSAGE, "google.protobuf.Duration"),
    (V2 + "WordInfo", "word", 3, F.TYPE_STRING, None),
    (V2 + "WordInfo", "confidence", 4, F.TYPE_FLOAT, None),
    (OP + "Operation", "id", 1, F.TYPE_STRING, None),
    (OP + "Operation", "description", 2, F.TYPE_STRING, None),
    (OP + "Operation", "created_at", 3, F.TYPE_MESSAGE, "google.protobuf.Timestamp"),
    (OP + "Operation", "created_by", 4, F.TYPE_STRING, None),
    (OP + "Operation", "modified_at", 5, F.TYPE_MESSAGE, "google.protobuf.Timestamp"),
    (OP + "Operation", "done", 6, F.TYPE_BOOL, None),
    (OP + "Operation", "metadata", 7, F.TYPE_MESSAGE, "google.protobuf.Any"),
    (OP + "Operation", "error", 8, F.TYPE_MESSAGE, "google.rpc.Status"),
    (OP + "Operation", "response", 9, F.TYPE_MESSAGE, "google.protobuf.Any"),
    (OP + "GetOperationRequest", "operation_id", 1, F.TYPE_STRING, None),
    (OP + "CancelOperationRequest", "operation_id", 1, F.TYPE_STRING, None),
    (IAM + "CreateIamTokenRequest", "yandex_passport_oauth_token", 1, F.TYPE_STRING, None),
    (IAM + "CreateIamTokenRequest", "jwt", 2, F.TYPE_STRING, None),
    (IAM + "CreateIamTokenResponse", "iam_token", 1, F.TYPE_STRING, None),
    (IAM + "CreateIamTokenResponse", "expires_at", 2, F.TYPE_MESSAGE, "google.protobuf.Timestamp"),
]
MESSAGES = {
    V2 + "LongRunningRecognitionRequest": stt.LongRunningRecognitionRequest,
    V2 + "RecognitionConfig": stt.RecognitionConfig,
    V2 + "RecognitionAudio": stt.RecognitionAudio,
    V2 + "RecognitionSpec": stt.RecognitionSpec,
    V2 + "LongRunningRecognitionResponse": stt.LongRunningRecognitionResponse,
    V2 + "SpeechRecognitionResult": stt.SpeechRecognitionResult,
    V2 + "SpeechRecognitionAlternative": stt.SpeechRecognitionAlternative,
    V2 + "WordInfo": stt.WordInfo,
    OP + "Operation": operation_pb2.Operation,
    OP + "GetOperationRequest": operation_service_pb2.GetOperationRequest,
    OP + "CancelOperationRequest": operation_service_pb2.CancelOperationRequest,
    IAM + "CreateIamTokenRequest": iam_pb2.CreateIamTokenRequest,
    IAM + "CreateIamTokenResponse": iam_pb2.CreateIamTokenResponse,
}


@pytest.mark.parametrize(("message", "name", "number", "kind", "type_name"), FIELDS)
def test_field_matches_the_service(message, name, number, kind, type_name):
    descriptor = MESSAGES[message].DESCRIPTOR
    assert descriptor.full_name == message
    field = descriptor.fields_by_name[name]
    assert (field.number, field.type) == (number, kind)
    repeated = name in ("chunks", "alternatives", "words")
    assert field.is_repeated == repeated
    if type_name:
        target = field.message_type or field.enum_type
        assert target.full_name == type_name


def test_no_extra_fields():
    expected: dict[str, set[str]] = {}
    for message, name, *_ in FIELDS:
        expected.setdefault(message, set()).add(name)
    for message, names in expected.items():
        assert set(MESSAGES[message].DESCRIPTOR.fields_by_name) == names, message


def test_oneofs_and_reserved():
    assert [f.name for f in stt.RecognitionAudio.DESCRIPTOR.oneofs_by_name["audio_source"].fields] == [
        "content",
        "uri",
    ]
    assert [f.name for f in operation_pb2.Operation.DESCRIPTOR.oneofs_by_name["result"].fields] == [
        "error",
        "response",
    ]
    # Field 6 of RecognitionSpec is reserved by the service; nothing may reuse it.
    assert 6 not in stt.RecognitionSpec.DESCRIPTOR.fields_by_number


def test_audio_encoding_values():
    enum = stt.RecognitionSpec.AudioEncoding
    assert dict(enum.items()) == {
        "AUDIO_ENCODING_UNSPECIFIED": 0,
        "LINEAR16_PCM": 1,
        "OGG_OPUS": 2,
        "MP3": 3,
    }


def test_method_paths():
    services = {
        s.full_name: [m.name for m in s.methods]
        for s in (
            stt.DESCRIPTOR.services_by_name["SttService"],
            operation_service_pb2.DESCRIPTOR.services_by_name["OperationService"],
            iam_pb2.DESCRIPTOR.services_by_name["IamTokenService"],
        )
    }
    assert services == {
        "yandex.cloud.ai.stt.v2.SttService": ["LongRunningRecognize"],
        "yandex.cloud.operation.OperationService": ["Get", "Cancel"],
        "yandex.cloud.iam.v1.IamTokenService": ["Create"],  # the JWT exchange (not CreateForServiceAccount)
    }
    assert [f.name for f in iam_pb2.CreateIamTokenRequest.DESCRIPTOR.oneofs_by_name["identity"].fields] == [
        "yandex_passport_oauth_token",
        "jwt",
    ]
    method = stt.DESCRIPTOR.services_by_name["SttService"].methods_by_name["LongRunningRecognize"]
    assert method.output_type.full_name == "yandex.cloud.operation.Operation"


def test_json_shape_matches_the_rest_examples():
    from stt_tui.api.operations import operation_to_json

    op = operation_pb2.Operation(id="e03abcdefghijklmnopq", done=True)
    response = stt.LongRunningRecognitionResponse(
        chunks=[
            stt.SpeechRecognitionResult(
                channel_tag=1, alternatives=[stt.SpeechRecognitionAlternative(text="hi")]
            )
        ]
    )
    op.response.Pack(response)
    text = operation_to_json(op)
    assert '"@type": "type.googleapis.com/yandex.cloud.ai.stt.v2.LongRunningRecognitionResponse"' in text
    assert '"channelTag": "1"' in text  # int64 as a JSON string, as the service sends it
