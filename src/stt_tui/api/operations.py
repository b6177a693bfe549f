"""Decoding an Operation into what a client needs: its state, its response or its error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.errors import ProtocolError

RESPONSE_TYPE_URL = "type.googleapis.com/yandex.cloud.ai.stt.v2.LongRunningRecognitionResponse"
# A v3 operation's response is Empty: its transcript comes from GetRecognition.
V3_RESPONSE_TYPE_URL = "type.googleapis.com/google.protobuf.Empty"


@dataclass(frozen=True)
class OperationError:
    """A google.rpc.Status carried by a finished (or failing) operation."""

    code: int
    message: str


@dataclass(frozen=True)
class OperationState:
    """One answer about an operation, decoded."""

    id: str
    done: bool
    created_at: datetime | None
    modified_at: datetime | None
    response: stt.LongRunningRecognitionResponse | None
    error: OperationError | None
    raw: operation_pb2.Operation
    api: str = "v2"
    # v3, done: the results GetRecognition streamed, gathered (None until they are fetched).
    recognition: v3.StreamingResponseList | None = None

    @property
    def succeeded(self) -> bool:
        return self.done and self.error is None

    def raw_json(self) -> str:
        """The whole Operation as JSON (the REST shape), for storing and exporting."""
        return operation_to_json(self.raw)

    def recognition_json(self) -> str | None:
        """The v3 results as JSON (a StreamingResponseList), for storing; None for v2."""
        if self.recognition is None:
            return None
        return json_format.MessageToJson(self.recognition, indent=None, ensure_ascii=False)


def _time(ts: Timestamp, present: bool) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if present else None


class OtherApi(ProtocolError):
    """A done operation whose response is the other API's: it was started with `api`."""

    def __init__(self, operation_id: str, api: str, type_url: str) -> None:
        super().__init__(
            f"Operation {operation_id} carries a response of type {type_url!r}: "
            f"it was started with API {api}."
        )
        self.api = api


def decode_operation(op: operation_pb2.Operation, api: str = "v2") -> OperationState:
    """Check and decode an Operation of `api`; raises ProtocolError when it breaks the API's promises."""
    if not op.id:
        raise ProtocolError("The server returned an operation without an id.")
    result = op.WhichOneof("result")
    response = None
    error = None
    expected = V3_RESPONSE_TYPE_URL if api == "v3" else RESPONSE_TYPE_URL
    if result == "response":
        other = "v2" if api == "v3" else "v3"
        if op.response.type_url == (RESPONSE_TYPE_URL if other == "v2" else V3_RESPONSE_TYPE_URL):
            raise OtherApi(op.id, other, op.response.type_url)
        if op.response.type_url != expected:
            raise ProtocolError(
                f"Operation {op.id} carries a response of type {op.response.type_url!r}, not {expected!r}."
            )
        if api != "v3":
            response = stt.LongRunningRecognitionResponse()
            if not op.response.Unpack(response):
                raise ProtocolError(f"Operation {op.id} carries a response that does not decode.")
    elif result == "error":
        error = OperationError(op.error.code, op.error.message)
    if op.done and result is None:
        raise ProtocolError(f"Operation {op.id} is done but has neither a response nor an error.")
    if result == "response" and not op.done:
        raise ProtocolError(f"Operation {op.id} has a response but is not done.")
    return OperationState(
        id=op.id,
        done=op.done,
        created_at=_time(op.created_at, op.HasField("created_at")),
        modified_at=_time(op.modified_at, op.HasField("modified_at")),
        response=response,
        error=error,
        raw=op,
        api=api,
    )


def operation_to_json(op: operation_pb2.Operation) -> str:
    """REST-shaped JSON (lowerCamelCase, `@type` on Any, int64 as strings)."""
    return json_format.MessageToJson(op, indent=None, ensure_ascii=False)


def operation_from_json(text: str) -> operation_pb2.Operation:
    """Parse what operation_to_json wrote (the Any payload type is known to the pool)."""
    op = operation_pb2.Operation()
    json_format.Parse(text, op)
    return op
