"""gRPC faces of the engine: SttService and OperationService, translating to and from protobuf."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3

import grpc
from google.protobuf.any_pb2 import Any
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import status_pb2

from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2 as iam
from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2_grpc as iam_grpc
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2 as ops
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2_grpc as ops_grpc
from stt_tui.wording import quoted

from .cloud import Refused, TokenIssuer
from .engine import Engine
from .object_source import AudioAccessDenied
from .store import State, StoredOperation
from .validation import RequestRefused
from .wire import RecognizeRequest, parse_recognize

SERVICE = "yandex.cloud.ai.stt.v2.SttService"
RESPONSE_TYPE_URL = "type.googleapis.com/yandex.cloud.ai.stt.v2.LongRunningRecognitionResponse"


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
    if op.state == State.DONE:
        # The stored bytes go out as they are: no re-parsing of what may be a large result.
        msg.response.CopyFrom(Any(type_url=RESPONSE_TYPE_URL, value=op.response or b""))
    elif op.done:
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


class SttServicer:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def LongRunningRecognize(  # noqa: N802 - gRPC method name
        self, request: RecognizeRequest, context: grpc.ServicerContext
    ) -> operation_pb2.Operation:
        try:
            op = self._engine.submit(request)
        except AudioAccessDenied as exc:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))
        except RequestRefused as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except (sqlite3.Error, OSError) as exc:
            # A full disk or a locked store: the request is not taken, and the client is told why (not
            # UNAVAILABLE, which clients retry at once against the same trouble).
            context.abort(grpc.StatusCode.INTERNAL, f"The engine cannot store the request: {exc}.")
        return to_operation(op)


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
