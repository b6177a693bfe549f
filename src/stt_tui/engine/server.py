"""Running the engine as a gRPC server on a loopback address or a unix socket."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc

from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2_grpc as iam_grpc
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2_grpc as ops_grpc
from stt_tui.engine.cloud import CloudInterceptor, TokenIssuer
from stt_tui.engine.engine import Engine, EngineConfig
from stt_tui.engine.presence import STATUS_SECONDS, Activity, idle_seconds, remove_status, write_status
from stt_tui.engine.servicer import IamTokenServicer, OperationServicer, async_recognizer_handler, stt_handler
from stt_tui.engine.store import State
from stt_tui.shared.private import private_dir
from stt_tui.shared.speechkit import MAX_INLINE_BYTES
from stt_tui.shared.stopping import on_stop_signals

log = logging.getLogger(__name__)

# A request carries at most 60 MB of inline audio (the service's limit) plus its config: gRPC refuses a
# larger one from its length alone, before holding any of it (a 300 MB request grew the engine by 3x).
MAX_REQUEST_BYTES = MAX_INLINE_BYTES + 2**20
UNIX_PATH_MAX = 107


class EngineAlreadyRunning(RuntimeError):
    """Another engine holds this data folder."""


class ListenError(RuntimeError):
    """The address cannot be listened on."""


def _lock_data_dir(data_dir: Path) -> int:
    """One engine per data folder: a second would fight over the store and the socket."""
    fd = os.open(data_dir / "engine.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise EngineAlreadyRunning(f"An engine is already running on {data_dir}.") from None
    os.fchmod(fd, 0o600)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


class EngineServer:
    """An Engine behind a gRPC server. `start()` binds and returns the address actually listened on."""

    def __init__(
        self,
        config: EngineConfig,
        listen: str,
        *,
        engine: Engine | None = None,
        interceptors: Sequence[grpc.ServerInterceptor] = (),  # type: ignore[type-arg]
        rpc_threads: int = 8,  # every call is answered at once: a few threads serve many clients
        tls: tuple[bytes, bytes] | None = None,
    ) -> None:
        """`tls`: (private key, certificate chain) in PEM, to serve TLS as the cloud does."""
        self.listen = listen
        self._tls = tls
        config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock_fd = _lock_data_dir(config.data_dir)
        try:
            self.engine = engine or Engine(config)
        except BaseException:
            os.close(self._lock_fd)
            raise
        self.activity = Activity()
        interceptors = [self.activity, *interceptors]
        self.issuer = None
        if config.cloud is not None:
            keys = {k.key_id: k for k in config.cloud.account_keys}
            self.issuer = TokenIssuer(keys, config.cloud.token_lifetime)
            interceptors.append(CloudInterceptor(config.cloud, self.issuer))
        self._server = grpc.server(
            ThreadPoolExecutor(max_workers=rpc_threads, thread_name_prefix="stt-rpc"),
            interceptors=interceptors,
            options=[
                ("grpc.max_receive_message_length", MAX_REQUEST_BYTES),
                ("grpc.max_send_message_length", -1),
                ("grpc.so_reuseport", 0),
            ],
        )
        # Both APIs on one listener, as the design has it (the cloud has a host for each).
        self._server.add_generic_rpc_handlers(
            (stt_handler(self.engine), async_recognizer_handler(self.engine))
        )
        ops_grpc.add_OperationServiceServicer_to_server(OperationServicer(self.engine), self._server)
        if self.issuer is not None:
            iam_grpc.add_IamTokenServiceServicer_to_server(IamTokenServicer(self.issuer), self._server)
        self.address = ""

    def start(self) -> str:
        address = self.listen
        if address.startswith("unix:"):
            path = Path(address.removeprefix("unix:").removeprefix("//"))
            if len(str(path)) > UNIX_PATH_MAX:
                raise ListenError(f"The socket path {path} is longer than {UNIX_PATH_MAX} characters.")
            try:
                private_dir(path.parent)
                if path.parent.stat().st_uid != os.getuid():
                    raise ListenError(f"{path.parent} belongs to another user; it cannot hold the socket.")
            except OSError as exc:
                raise ListenError(f"Cannot listen on {address}: {exc.strerror} ({exc.filename}).") from None
        try:
            if self._tls is not None:
                creds = grpc.ssl_server_credentials([self._tls])
                port = self._server.add_secure_port(address, creds)
            else:
                port = self._server.add_insecure_port(address)
        except RuntimeError as exc:
            raise ListenError(f"Cannot listen on {address}: {exc}") from None
        if not address.startswith("unix:"):
            host = address.rsplit(":", 1)[0]
            address = f"{host}:{port}"
        self._server.start()
        self.engine.start()
        self.address = address
        self.started_at = time.time()
        self._last_busy = time.monotonic()
        return address

    def status(self) -> dict[str, Any]:
        """What `stt-tui engine status` shows, with how long the engine has had no call and no work."""
        queued, running = self.engine.store.count(State.QUEUED), self.engine.store.count(State.RUNNING)
        now = time.monotonic()
        if queued or running:
            self._last_busy = now
        return {
            "pid": os.getpid(), "address": self.address, "model": self.engine.recognizer.name,
            "started_at": self.started_at, "queued_jobs": queued, "running_jobs": running,
            "idle_seconds": idle_seconds(now, self.activity.last_call, self._last_busy),
            "updated_at": time.time(),
        }  # fmt: skip

    def stop(self, grace: float = 3.0) -> None:
        """Stop answering, let in-flight calls end, put running work back in the queue."""
        self._server.stop(grace).wait()
        self.engine.stop()
        remove_status(self.engine.config.data_dir)
        os.close(self._lock_fd)
        if self.address.startswith("unix:"):
            Path(self.address.removeprefix("unix:")).unlink(missing_ok=True)

    def __enter__(self) -> EngineServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_until_signalled(
    server: EngineServer, announce: Callable[[str], object], idle_exit: float = 0.0
) -> None:
    """Start, announce the address, and run until SIGINT or SIGTERM, or until idle for `idle_exit`
    seconds (0: never); the status file is kept current meanwhile."""
    stop = threading.Event()
    previous = on_stop_signals(lambda signum: stop.set())
    data_dir = server.engine.config.data_dir
    try:
        announce(server.start())
        while True:
            status = server.status()
            if idle_exit and status["idle_seconds"] >= idle_exit:
                log.info("no work and no calls for %g min: exiting", idle_exit / 60)
                break
            try:
                idle = round(status["idle_seconds"])
                write_status(data_dir, {**status, "idle_seconds": idle, "idle_exit_seconds": idle_exit})
            except OSError as exc:
                log.warning("the status file cannot be written: %s", exc)
            if stop.wait(STATUS_SECONDS):
                break
    finally:
        server.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
