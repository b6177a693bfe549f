"""A typed, blocking client for SpeechKit asynchronous recognition (API v2 and v3) and its operations."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2_grpc as stt_grpc
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_service_pb2 as v3_service
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_service_pb2_grpc as v3_grpc
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2 as ops
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2_grpc as ops_grpc
from stt_tui.api.auth import Credentials, NoAuth
from stt_tui.api.channel import ChannelSettings, open_channel
from stt_tui.api.errors import ServiceError, from_rpc_error
from stt_tui.api.operations import OperationState, decode_operation
from stt_tui.api.recognition import gather
from stt_tui.shared.wording import printable

DEFAULT_TIMEOUT = 30.0
SUBMIT_GRACE = 0.5  # how long a quitting app lets a submission in flight be answered
# Inline audio can be large; give the upload time on top of the base deadline.
UPLOAD_SECONDS_PER_MIB = 0.5
# A v3 result is read as a stream, with its own deadline: hours of speech are a few MB of events.
RESULT_TIMEOUT = 120.0


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
    """Submit, poll and cancel (API v2 and v3), read and delete v3 results; every failure comes out as a
    ServiceError with one clear sentence."""

    endpoints: Endpoints
    credentials: Credentials = field(default_factory=NoAuth)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        # Calls in flight, so that a quitting app can end them at once instead of waiting for deadlines.
        self._calls: dict[grpc.Future[Any], bool] = {}  # call -> whether it submits audio
        self._calls_lock = threading.Lock()
        self._aborted = False
        self._grace_until = 0.0
        self._stt_channel = open_channel(self.endpoints.stt)
        if self.endpoints.operation == self.endpoints.stt:
            self._op_channel = self._stt_channel
        else:
            self._op_channel = open_channel(self.endpoints.operation)
        self._stt = stt_grpc.SttServiceStub(self._stt_channel)
        self._v3 = v3_grpc.AsyncRecognizerStub(self._stt_channel)
        # RecognizeFile for a request serialized by the caller: 60 MB of inline audio is then held once as
        # bytes (and once by gRPC while it goes out), never as a message beside them.
        self._recognize_file_bytes: grpc.UnaryUnaryMultiCallable[bytes, operation_pb2.Operation] = (
            self._stt_channel.unary_unary(
                "/speechkit.stt.v3.AsyncRecognizer/RecognizeFile",
                request_serializer=None,
                response_deserializer=operation_pb2.Operation.FromString,
            )
        )
        self._ops = ops_grpc.OperationServiceStub(self._op_channel)

    def recognize(self, request: stt.LongRunningRecognitionRequest) -> OperationState:
        """LongRunningRecognize: returns the new operation (normally not done yet)."""
        timeout = submit_timeout(self.timeout, request.ByteSize())
        op = self._call(
            lambda: self._stt.LongRunningRecognize.future(
                request, timeout=timeout, metadata=self.credentials.metadata()
            ),
            self.endpoints.stt,
            "submit the audio for recognition",
            timeout,
            submits=True,
        )
        return decode_operation(op)

    def recognize_file(self, request: v3.RecognizeFileRequest | bytes) -> OperationState:
        """API v3 RecognizeFile: returns the new operation (normally not done yet). `request` may come
        serialized already (audio sent inline: see __post_init__)."""
        size = len(request) if isinstance(request, bytes) else request.ByteSize()
        timeout = submit_timeout(self.timeout, size)

        def start() -> Any:
            metadata = self.credentials.metadata()
            if isinstance(request, bytes):
                return self._recognize_file_bytes.future(request, timeout=timeout, metadata=metadata)
            return self._v3.RecognizeFile.future(request, timeout=timeout, metadata=metadata)

        op = self._call(
            start,
            self.endpoints.stt,
            "submit the audio for recognition",
            timeout,
            submits=True,
        )
        return decode_operation(op, "v3")

    def get_recognition(self, operation_id: str) -> v3.StreamingResponseList:
        """API v3 GetRecognition: the whole result stream of a done operation, gathered and checked."""
        request = v3_service.GetRecognitionRequest(operation_id=operation_id)

        def start() -> Any:
            metadata = self.credentials.metadata()
            return self._v3.GetRecognition(request, timeout=RESULT_TIMEOUT, metadata=metadata)

        result: v3.StreamingResponseList = self._call(
            start,
            self.endpoints.stt,
            f"read the result of operation {printable(operation_id[:50])}",
            RESULT_TIMEOUT,
            consume=lambda call: gather(operation_id, call),
        )
        return result

    def delete_recognition(self, operation_id: str) -> None:
        """API v3 DeleteRecognition: the service forgets the result."""
        self._call(
            lambda: self._v3.DeleteRecognition.future(
                v3.DeleteRecognitionRequest(operation_id=operation_id),
                timeout=self.timeout,
                metadata=self.credentials.metadata(),
            ),
            self.endpoints.stt,
            f"delete the result of operation {printable(operation_id[:50])}",
            self.timeout,
        )

    def get_operation(self, operation_id: str, api: str = "v2") -> OperationState:
        """OperationService.Get (one service for the operations of both APIs)."""
        op = self._call(
            lambda: self._ops.Get.future(
                ops.GetOperationRequest(operation_id=operation_id),
                timeout=self.timeout,
                metadata=self.credentials.metadata(),
            ),
            self.endpoints.operation,
            f"check operation {printable(operation_id[:50])}",
            self.timeout,
        )
        return decode_operation(op, api)

    def cancel_operation(self, operation_id: str, api: str = "v2") -> OperationState:
        """OperationService.Cancel (best effort: the service may ignore it)."""
        op = self._call(
            lambda: self._ops.Cancel.future(
                ops.CancelOperationRequest(operation_id=operation_id),
                timeout=self.timeout,
                metadata=self.credentials.metadata(),
            ),
            self.endpoints.operation,
            f"cancel operation {printable(operation_id[:50])}",
            self.timeout,
        )
        return decode_operation(op, api)

    def abort(self, submit_grace: float = SUBMIT_GRACE) -> None:
        """The app is quitting: refuse new calls and end those in flight (they fail as CANCELLED).

        Status checks end now. A submission gets `submit_grace` seconds to be answered first: cut off,
        the service may have taken the audio without its operation id ever being stored.
        """
        with self._calls_lock:
            self._aborted = True
            self._grace_until = time.monotonic() + submit_grace
        for call, submits in self._in_flight().items():
            if not submits:
                call.cancel()

        def cut_off() -> None:
            for call, submits in self._in_flight().items():
                if submits:
                    call.cancel()

        timer = threading.Timer(submit_grace, cut_off)
        timer.daemon = True
        timer.start()

    def _in_flight(self) -> dict[grpc.Future[Any], bool]:
        with self._calls_lock:
            return dict(self._calls)

    def close(self) -> None:
        self._stt_channel.close()
        if self._op_channel is not self._stt_channel:
            self._op_channel.close()

    def __enter__(self) -> SpeechKitClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(
        self, start: Callable[[], Any], submits: bool = False, consume: Callable[[Any], Any] | None = None
    ) -> Any:
        if self._aborted and not (submits and time.monotonic() < self._grace_until):
            raise grpc.FutureCancelledError()
        call = start()  # outside the lock: starting may first fetch an IAM token
        with self._calls_lock:
            self._calls[call] = submits
            aborted = self._aborted
        if aborted:
            call.cancel()
        try:
            # A unary call is awaited; a stream is read to its end by `consume`.
            return call.result() if consume is None else consume(call)
        finally:
            with self._calls_lock:
                self._calls.pop(call, None)

    def _call(
        self,
        fn: Callable[[], Any],
        settings: ChannelSettings,
        action: str,
        timeout: float,
        submits: bool = False,
        consume: Callable[[Any], Any] | None = None,
    ) -> Any:
        try:
            try:
                return self._wait(fn, submits, consume)
            except grpc.RpcError as exc:
                # An IAM token can stop working before its stated expiry (revoked, a clock off):
                # credentials that can fetch a new one get one retry, unseen by the user.
                if not (isinstance(exc, grpc.Call) and exc.code() == grpc.StatusCode.UNAUTHENTICATED):
                    raise
                if not self.credentials.renew():
                    raise
            return self._wait(fn, submits, consume)
        except grpc.FutureCancelledError:
            raise ServiceError(grpc.StatusCode.CANCELLED, f"Stopped; could not {action}.") from None
        except ValueError:
            # gRPC's answer for a call on a channel closed meanwhile: the connection was replaced.
            raise ServiceError(
                grpc.StatusCode.UNAVAILABLE,
                f"The connection to {settings.target} was closed; could not {action}.",
            ) from None
        except grpc.RpcError as exc:
            # `from None`: the original error's repr can include the call's metadata.
            raise from_rpc_error(
                exc,
                target=settings.target,
                action=action,
                timeout=timeout,
                max_receive_bytes=settings.max_receive_bytes,
            ) from None
