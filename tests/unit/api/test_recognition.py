"""API v3 results: a stream whole only when every final is closed; operations with Empty, not v2's."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.any_pb2 import Any
from google.protobuf.empty_pb2 import Empty

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api import ProtocolError, decode_operation
from stt_tui.api.recognition import ResultIncomplete, gather


def final(channel: str, index: int, text: str) -> list[v3.StreamingResponse]:
    cursors = v3.AudioCursors(final_index=index)
    alt = v3.Alternative(text=text, start_time_ms=index * 1000, end_time_ms=index * 1000 + 500)
    return [
        v3.StreamingResponse(
            final=v3.AlternativeUpdate(alternatives=[alt]), channel_tag=channel, audio_cursors=cursors
        ),
        v3.StreamingResponse(
            eou_update=v3.EouUpdate(time_ms=500), channel_tag=channel, audio_cursors=cursors
        ),
    ]


def test_a_stream_is_whole_only_when_every_final_is_closed():
    events = final("0", 0, "one") + final("1", 0, "two")
    assert len(gather("op", events).streaming_responses) == 4
    with pytest.raises(ResultIncomplete, match="ended early") as cut:
        gather("op", events + final("0", 1, "three")[:1])
    assert cut.value.code == grpc.StatusCode.DATA_LOSS  # fetched again later, never stored short
    assert len(gather("op", []).streaming_responses) == 0  # silence: nothing to say


def test_v3_operations_carry_empty_and_never_the_v2_response():
    op = operation_pb2.Operation(id="f8d0000000000000000a", done=True)
    op.response.CopyFrom(
        Any(type_url="type.googleapis.com/google.protobuf.Empty", value=Empty().SerializeToString())
    )
    state = decode_operation(op, "v3")
    assert state.succeeded and state.response is None and state.api == "v3"
    with pytest.raises(ProtocolError, match="google.protobuf.Empty"):
        decode_operation(op)  # a v2 job answered with a v3 operation
    op.response.type_url = "type.googleapis.com/yandex.cloud.ai.stt.v2.LongRunningRecognitionResponse"
    with pytest.raises(ProtocolError):
        decode_operation(op, "v3")
