"""The one place gRPC channels are made: TLS policy, message limits and retries."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass

import grpc

MiB = 2**20
DEFAULT_MAX_RECEIVE_BYTES = 256 * MiB
# The service takes up to 1 GB of audio; inline content must fit in one request.
MAX_SEND_BYTES = 1024 * MiB + MiB
RETRY_ATTEMPTS = 5  # gRPC caps maxAttempts at 5

_SERVICES = (
    "yandex.cloud.ai.stt.v2.SttService",
    "yandex.cloud.operation.OperationService",
    "yandex.cloud.iam.v1.IamTokenService",
)


class InsecureTargetError(ValueError):
    """Plaintext was asked for a target that is not on this machine."""


def is_local_target(target: str) -> bool:
    """True for unix sockets and loopback addresses, the only targets plaintext is allowed for."""
    if target.startswith(("unix:", "unix-abstract:")):
        return True
    host = target.removeprefix("dns:///").removeprefix("ipv4:").removeprefix("ipv6:")
    if host.startswith("["):
        host = host[1 : host.find("]")]
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def service_config(attempts: int = RETRY_ATTEMPTS) -> str:
    """gRPC service config: retry UNAVAILABLE with exponential backoff and jitter (done by gRPC)."""
    policy = {
        "maxAttempts": attempts,
        "initialBackoff": "0.2s",
        "maxBackoff": "5s",
        "backoffMultiplier": 2.5,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }
    names = [{"service": s} for s in _SERVICES]
    return json.dumps({"methodConfig": [{"name": names, "retryPolicy": policy}]})


@dataclass(frozen=True)
class ChannelSettings:
    """How to reach one endpoint."""

    target: str
    tls: bool | None = None
    """None: TLS unless the target is loopback or a unix socket."""
    root_certificates: bytes | None = None
    """PEM roots; None uses the system's."""
    max_receive_bytes: int = DEFAULT_MAX_RECEIVE_BYTES
    retry_attempts: int = RETRY_ATTEMPTS
    server_name_override: str | None = None
    """TLS name to expect, for a test server standing in for a real host."""

    def use_tls(self) -> bool:
        tls = not is_local_target(self.target) if self.tls is None else self.tls
        if not tls and not is_local_target(self.target):
            raise InsecureTargetError(
                f"Refusing to connect to {self.target} without TLS: plaintext is only for loopback "
                "addresses and unix sockets."
            )
        return tls

    def options(self) -> list[tuple[str, object]]:
        opts: list[tuple[str, object]] = [
            ("grpc.max_receive_message_length", self.max_receive_bytes),
            ("grpc.max_send_message_length", MAX_SEND_BYTES),
            ("grpc.enable_retries", 1 if self.retry_attempts > 1 else 0),
            ("grpc.service_config", service_config(max(self.retry_attempts, 2))),
            ("grpc.keepalive_time_ms", 60_000),
        ]
        if self.server_name_override:
            opts.append(("grpc.ssl_target_name_override", self.server_name_override))
        return opts


def open_channel(settings: ChannelSettings) -> grpc.Channel:
    """Open a channel as the settings say; raises InsecureTargetError for plaintext off this machine."""
    if settings.use_tls():
        creds = grpc.ssl_channel_credentials(root_certificates=settings.root_certificates)
        return grpc.secure_channel(settings.target, creds, options=settings.options())
    return grpc.insecure_channel(settings.target, options=settings.options())
