"""A typed, blocking client for SpeechKit v2 asynchronous recognition and its operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2_grpc as stt_grpc
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2 as ops
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2_grpc as ops_grpc

from .auth import Credentials, NoAuth
from .channel import ChannelSettings, open_channel
from .errors import from_rpc_error
from .operations import OperationState, decode_operation

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
# Inline audio can be large; give the upload time on top of the base deadline.
UPLOAD_SECONDS_PER_MIB = 0.5


def submit_timeout(base: float, request_bytes: int) -> float:
    """Deadline for a LongRunningRecognize call carrying `request_bytes`."""
    return base + UPLOAD_SECONDS_PER_MIB * request_bytes / 2**20


@dataclass(frozen=True)
class Endpoints:
    """Where recognition is submitted and where operations are polled (one target for the engine)."""

    stt: ChannelSettings
    operation: ChannelSettings

    @classmethod
    def single(cls, settings: ChannelSettings) -> Endpoints:
        return cls(stt=settings, operation=settings)


@dataclass
class SpeechKitClient:
    """Submit, poll and cancel; every failure comes out as a ServiceError with one clear sentence."""

    endpoints: Endpoints
    credentials: Credentials = field(default_factory=NoAuth)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        self._stt_channel = open_channel(self.endpoints.stt)
        if self.endpoints.operation == self.endpoints.stt:
            self._op_channel = self._stt_channel
        else:
            self._op_channel = open_channel(self.endpoints.operation)
        self._stt = stt_grpc.SttServiceStub(self._stt_channel)
        self._ops = ops_grpc.OperationServiceStub(self._op_channel)

    def recognize(self, request: stt.LongRunningRecognitionRequest) -> OperationState:
        """LongRunningRecognize: returns the new operation (normally not done yet)."""
        timeout = submit_timeout(self.timeout, request.ByteSize())
        op = self._call(
            lambda: self._stt.LongRunningRecognize(
                request, timeout=timeout, metadata=self.credentials.metadata()
            ),
            self.endpoints.stt,
            "submit the audio for recognition",
            timeout,
        )
        return decode_operation(op)

    def get_operation(self, operation_id: str) -> OperationState:
        """OperationService.Get."""
        op = self._call(
            lambda: self._ops.Get(
                ops.GetOperationRequest(operation_id=operation_id),
                timeout=self.timeout,
                metadata=self.credentials.metadata(),
            ),
            self.endpoints.operation,
            f"check operation {operation_id}",
            self.timeout,
        )
        return decode_operation(op)

    def cancel_operation(self, operation_id: str) -> OperationState:
        """OperationService.Cancel (best effort: the service may ignore it)."""
        op = self._call(
            lambda: self._ops.Cancel(
                ops.CancelOperationRequest(operation_id=operation_id),
                timeout=self.timeout,
                metadata=self.credentials.metadata(),
            ),
            self.endpoints.operation,
            f"cancel operation {operation_id}",
            self.timeout,
        )
        return decode_operation(op)

    def close(self) -> None:
        self._stt_channel.close()
        if self._op_channel is not self._stt_channel:
            self._op_channel.close()

    def __enter__(self) -> SpeechKitClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, fn: Callable[[], T], settings: ChannelSettings, action: str, timeout: float) -> T:
        try:
            try:
                return fn()
            except grpc.RpcError as exc:
                # An IAM token can stop working before its stated expiry (revoked, a clock off):
                # credentials that can fetch a new one get one retry, unseen by the user.
                if not (isinstance(exc, grpc.Call) and exc.code() == grpc.StatusCode.UNAUTHENTICATED):
                    raise
                if not self.credentials.renew():
                    raise
            return fn()
        except grpc.RpcError as exc:
            # `from None`: the original error's repr can include the call's metadata.
            raise from_rpc_error(
                exc,
                target=settings.target,
                action=action,
                timeout=timeout,
                max_receive_bytes=settings.max_receive_bytes,
            ) from None
