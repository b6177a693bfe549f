"""gRPC faces of the engine: SttService and OperationService, translating to and from protobuf."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from typing import NoReturn

import grpc
from google.protobuf.any_pb2 import Any
from google.protobuf.empty_pb2 import Empty
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import status_pb2

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_service_pb2 as v3_service
from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2 as iam
from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2_grpc as iam_grpc
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2 as ops
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2_grpc as ops_grpc
from stt_tui.engine.cloud import Refused, TokenIssuer
from stt_tui.engine.engine import Engine, ResultsUnavailable
from stt_tui.engine.object_source import AudioAccessDenied
from stt_tui.engine.store import State, StoredOperation
from stt_tui.engine.validation import RequestRefused
from stt_tui.engine.wire import RecognizeFileCall, RecognizeRequest, parse_recognize, parse_recognize_file
from stt_tui.shared.wording import quoted

SERVICE = "yandex.cloud.ai.stt.v2.SttService"
V3_SERVICE = "speechkit.stt.v3.AsyncRecognizer"
RESPONSE_TYPE_URL = "type.googleapis.com/yandex.cloud.ai.stt.v2.LongRunningRecognitionResponse"
V3_RESPONSE_TYPE_URL = "type.googleapis.com/google.protobuf.Empty"
V3_DESCRIPTION = "STT v3 async recognition"


def account_id(seed: str) -> str:
    """A 20-character id in the shape of the service's service-account ids (`aje` + 17), stable for a
    seed: clients see what the service would put in `created_by`, not a product name."""
    digest = hashlib.sha256(seed.encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "aje" + "".join(alphabet[b % len(alphabet)] for b in digest[:17])


CREATED_BY = account_id(f"{os.getuid()}@{socket.gethostname()}")


def _timestamp(seconds: float) -> Timestamp:
    """Whole seconds, as the service's operations carry them."""
    ts = Timestamp()
    ts.FromSeconds(int(seconds))
    return ts


def to_operation(op: StoredOperation) -> operation_pb2.Operation:
    """The stored operation as the service would answer it."""
    msg = operation_pb2.Operation(
        id=op.id,
        created_at=_timestamp(op.created_at),
        created_by=CREATED_BY,
        modified_at=_timestamp(op.modified_at),
        done=op.done,
    )
    if op.api == "v3":
        # The transcript is not in a v3 operation: GetRecognition streams it.
        msg.description = V3_DESCRIPTION
        if op.state == State.DONE:
            msg.response.CopyFrom(Any(type_url=V3_RESPONSE_TYPE_URL, value=b""))
    elif op.state == State.DONE:
        # The stored bytes go out as they are: no re-parsing of what may be a large result.
        msg.response.CopyFrom(Any(type_url=RESPONSE_TYPE_URL, value=op.response or b""))
    if op.done and op.state != State.DONE:
        msg.error.CopyFrom(status_pb2.Status(code=op.error_code or 2, message=op.error_message or ""))
    return msg


MAX_OPERATION_ID = 50  # the service's own limit on GetRecognitionRequest.operation_id


def _operation_id(value: str, context: grpc.ServicerContext) -> str:
    value = value.strip()
    if not value:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "operation_id is required.")
    if len(value) > MAX_OPERATION_ID or not value.isalnum():
        # Unknown either way; the answer quotes a bounded part of it, never the whole of a huge value.
        context.abort(grpc.StatusCode.NOT_FOUND, f"Operation {quoted(value, 60)} not found.")
    return value


def stt_handler(engine: Engine) -> grpc.GenericRpcHandler:  # type: ignore[type-arg]
    """SttService with its request read by wire.parse_recognize: inline audio is never copied."""
    servicer = SttServicer(engine)
    method = grpc.unary_unary_rpc_method_handler(
        servicer.LongRunningRecognize,
        request_deserializer=parse_recognize,
        response_serializer=operation_pb2.Operation.SerializeToString,
    )
    return grpc.method_handlers_generic_handler(SERVICE, {"LongRunningRecognize": method})


def async_recognizer_handler(engine: Engine) -> grpc.GenericRpcHandler:  # type: ignore[type-arg]
    """AsyncRecognizer (API v3) with RecognizeFile read by wire.parse_recognize_file."""
    servicer = AsyncRecognizerServicer(engine)
    methods = {
        "RecognizeFile": grpc.unary_unary_rpc_method_handler(
            servicer.RecognizeFile,
            request_deserializer=parse_recognize_file,
            response_serializer=operation_pb2.Operation.SerializeToString,
        ),
        "GetRecognition": grpc.unary_stream_rpc_method_handler(
            servicer.GetRecognition,
            request_deserializer=v3_service.GetRecognitionRequest.FromString,
            response_serializer=v3.StreamingResponse.SerializeToString,
        ),
        "DeleteRecognition": grpc.unary_unary_rpc_method_handler(
            servicer.DeleteRecognition,
            request_deserializer=v3.DeleteRecognitionRequest.FromString,
            response_serializer=Empty.SerializeToString,
        ),
    }
    return grpc.method_handlers_generic_handler(V3_SERVICE, methods)


def _submitted(
    submit: Callable[[], StoredOperation], context: grpc.ServicerContext
) -> operation_pb2.Operation:
    """A submission of either API, its refusals answered as the service answers them."""
    try:
        op = submit()
    except AudioAccessDenied as exc:
        context.abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))
    except RequestRefused as exc:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    except (sqlite3.Error, OSError) as exc:
        # A full disk or a locked store: the request is not taken, and the client is told why (not
        # UNAVAILABLE, which clients retry at once against the same trouble).
        context.abort(grpc.StatusCode.INTERNAL, f"The engine cannot store the request: {exc}.")
    return to_operation(op)


def _unavailable(exc: ResultsUnavailable, context: grpc.ServicerContext) -> NoReturn:
    """Unknown, deleted or expired: NOT_FOUND. Not done, or failed: FAILED_PRECONDITION, so that a client
    asking too early never takes the answer for a result that is gone."""
    code = grpc.StatusCode.FAILED_PRECONDITION if exc.found else grpc.StatusCode.NOT_FOUND
    context.abort(code, str(exc))
    raise AssertionError("abort raises")


class AsyncRecognizerServicer:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def RecognizeFile(  # noqa: N802 - gRPC method name
        self, request: RecognizeFileCall, context: grpc.ServicerContext
    ) -> operation_pb2.Operation:
        return _submitted(lambda: self._engine.submit_file(request), context)

    def GetRecognition(  # noqa: N802
        self, request: v3_service.GetRecognitionRequest, context: grpc.ServicerContext
    ) -> Iterator[v3.StreamingResponse]:
        op_id = _operation_id(request.operation_id, context)
        try:
            results = self._engine.recognition(op_id)
        except ResultsUnavailable as exc:
            _unavailable(exc, context)
        yield from results.streaming_responses

    def DeleteRecognition(  # noqa: N802
        self, request: v3.DeleteRecognitionRequest, context: grpc.ServicerContext
    ) -> Empty:
        op_id = _operation_id(request.operation_id, context)
        try:
            self._engine.delete_recognition(op_id)
        except ResultsUnavailable as exc:
            _unavailable(exc, context)
        return Empty()


class SttServicer:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def LongRunningRecognize(  # noqa: N802 - gRPC method name
        self, request: RecognizeRequest, context: grpc.ServicerContext
    ) -> operation_pb2.Operation:
        return _submitted(lambda: self._engine.submit(request), context)


class OperationServicer(ops_grpc.OperationServiceServicer):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def Get(  # noqa: N802
        self, request: ops.GetOperationRequest, context: grpc.ServicerContext
    ) -> operation_pb2.Operation:
        op_id = _operation_id(request.operation_id, context)
        return to_operation(_found(self._engine.get(op_id), op_id, context))

    def Cancel(  # noqa: N802
        self, request: ops.CancelOperationRequest, context: grpc.ServicerContext
    ) -> operation_pb2.Operation:
        op_id = _operation_id(request.operation_id, context)
        return to_operation(_found(self._engine.cancel(op_id), op_id, context))


def _found(op: StoredOperation | None, op_id: str, context: grpc.ServicerContext) -> StoredOperation:
    if op is None:
        context.abort(grpc.StatusCode.NOT_FOUND, f"Operation {op_id} not found.")
        raise AssertionError("abort raises")
    return op


class IamTokenServicer(iam_grpc.IamTokenServiceServicer):
    """The JWT exchange of the cloud's IAM, for the strict cloud mode."""

    def __init__(self, issuer: TokenIssuer) -> None:
        self._issuer = issuer

    def Create(  # noqa: N802
        self, request: iam.CreateIamTokenRequest, context: grpc.ServicerContext
    ) -> iam.CreateIamTokenResponse:
        if request.WhichOneof("identity") != "jwt":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Only the jwt identity is supported here.")
        try:
            token, expires = self._issuer.create(request.jwt)
        except Refused as exc:
            context.abort(exc.code, str(exc))
        return iam.CreateIamTokenResponse(iam_token=token, expires_at=_timestamp(expires))
