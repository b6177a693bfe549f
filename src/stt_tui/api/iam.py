"""IAM tokens from a service account's authorized key: a PS256 JWT exchanged at IamTokenService/Create.

The token is kept in memory only, shared by every call, and renewed before it runs out (and at once
when the service says it is no longer valid).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jwt

from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2 as iam
from stt_tui._proto.yandex.cloud.iam.v1 import iam_token_service_pb2_grpc as iam_grpc
from stt_tui.api.auth import Metadata
from stt_tui.api.channel import ChannelSettings, open_channel
from stt_tui.api.errors import ServiceError, explain
from stt_tui.shared.speechkit import JWT_AUDIENCE, MAX_JWT_SECONDS

JWT_LIFETIME = MAX_JWT_SECONDS  # the longest IAM accepts
REFRESH_AFTER = 3600.0  # Yandex's advice: a fresh token about every hour, though they live 12 h
STILL_USABLE_MARGIN = 60.0  # an old token this close to its expiry is not worth trying


class KeyFileError(ValueError):
    """The authorized key file cannot be used; the message says why (never quoting the key)."""


@dataclass(frozen=True)
class ServiceAccountKey:
    """An authorized key (`yc iam key create -o key.json`); the repr never shows the private key."""

    key_id: str
    service_account_id: str
    private_key: str = field(repr=False)

    @classmethod
    def from_json(cls, text: str, source: str = "the key file") -> ServiceAccountKey:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise KeyFileError(
                f"{source} is not JSON; expected an authorized key from `yc iam key create`."
            ) from None
        if not isinstance(data, dict):
            raise KeyFileError(f"{source} is not an authorized key (expected a JSON object).")
        missing = [k for k in ("id", "service_account_id", "private_key") if not data.get(k)]
        if missing:
            raise KeyFileError(f"{source} is not an authorized key: it lacks {', '.join(missing)}.")
        pem = str(data["private_key"])
        # Newer key files put a "PLEASE DO NOT REMOVE THIS LINE!" line before the PEM.
        begin = pem.find("-----BEGIN")
        if begin < 0:
            raise KeyFileError(f"{source} holds no PEM private key.")
        return cls(str(data["id"]), str(data["service_account_id"]), pem[begin:])

    @classmethod
    def from_file(cls, path: Path) -> ServiceAccountKey:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KeyFileError(f"The service account key {path} cannot be read: {exc.strerror}.") from None
        return cls.from_json(text, f"The service account key {path}")


def make_jwt(key: ServiceAccountKey, now: float, lifetime: int = JWT_LIFETIME) -> str:
    """The signed JWT that IAM exchanges for a token: PS256, kid = key id, iss = service account."""
    issued = int(now)
    claims = {"iss": key.service_account_id, "aud": JWT_AUDIENCE, "iat": issued, "exp": issued + lifetime}
    try:
        return jwt.encode(claims, key.private_key, algorithm="PS256", headers={"kid": key.key_id})
    except (ValueError, TypeError, jwt.PyJWTError):
        # The library's message may quote parts of the key: say only what is wrong.
        raise KeyFileError(
            f"The private key of service account key {key.key_id} cannot sign (not an RSA PEM key)."
        ) from None


def refresh_due(issued_at: float, expires_at: float, now: float) -> bool:
    """Whether a token got at `issued_at` should be replaced now: after an hour or half its life."""
    return now >= issued_at + min(REFRESH_AFTER, (expires_at - issued_at) / 2)


@dataclass(frozen=True)
class IssuedToken:
    token: str = field(repr=False)
    issued_at: float
    expires_at: float


class IamTokenClient:
    """IamTokenService/Create over its own channel."""

    def __init__(self, settings: ChannelSettings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._channel = open_channel(settings)
        self._stub = iam_grpc.IamTokenServiceStub(self._channel)
        self._calls: set[grpc.Future[Any]] = set()
        self._aborted = False

    def exchange(self, key: ServiceAccountKey, now: float) -> IssuedToken:
        try:
            signed = make_jwt(key, now)
        except KeyFileError as exc:
            raise ServiceError(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None
        if self._aborted:
            raise ServiceError(grpc.StatusCode.CANCELLED, "Stopped before getting an IAM token.")
        call = self._stub.Create.future(iam.CreateIamTokenRequest(jwt=signed), timeout=self.timeout)
        self._calls.add(call)
        try:
            answer = call.result()
        except grpc.FutureCancelledError:
            raise ServiceError(grpc.StatusCode.CANCELLED, "Stopped while getting an IAM token.") from None
        except grpc.RpcError as exc:
            raise _exchange_error(exc, self.settings.target, key) from None
        finally:
            self._calls.discard(call)
        if not answer.iam_token:
            raise ServiceError(
                grpc.StatusCode.INTERNAL,
                f"The IAM service at {self.settings.target} answered without a token.",
            )
        expires = answer.expires_at.ToNanoseconds() / 1e9 if answer.HasField("expires_at") else now + 3600
        return IssuedToken(answer.iam_token, now, expires)

    def abort(self) -> None:
        """End an exchange in flight now (the process is stopping)."""
        self._aborted = True
        for call in list(self._calls):
            call.cancel()

    def close(self) -> None:
        self._channel.close()


def _exchange_error(exc: grpc.RpcError, target: str, key: ServiceAccountKey) -> ServiceError:
    code = exc.code() if isinstance(exc, grpc.Call) else grpc.StatusCode.UNKNOWN
    details = exc.details() if isinstance(exc, grpc.Call) else ""
    if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
        detail = " ".join((details or "").split())[:300].rstrip(".")
        return ServiceError(
            code,
            f"The IAM service at {target} refused service account key {key.key_id}"
            f"{f' ({detail})' if detail else ''}: check that the key file belongs to service account "
            f"{key.service_account_id} and was not deleted.",
        )
    action = f"get an IAM token for service account {key.service_account_id}"
    return ServiceError(code, explain(code, details, target=target, action=action))


class ServiceAccountCredentials:
    """`authorization: Bearer <IAM token>`, the token got from a service account key and kept fresh."""

    def __init__(
        self,
        key: ServiceAccountKey,
        exchange: Callable[[ServiceAccountKey, float], IssuedToken],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = key
        self._exchange = exchange
        self._clock = clock
        self._token: IssuedToken | None = None
        self._lock = threading.Lock()
        self.exchanges = 0  # how many tokens were fetched (shown in diagnostics and tests)

    def metadata(self) -> Metadata:
        with self._lock:
            now = self._clock()
            token = self._token
            if token is None or refresh_due(token.issued_at, token.expires_at, now):
                try:
                    token = self._fetch(now)
                except ServiceError:
                    # IAM hiccup: a token that is still good carries on until the next try.
                    if token is None or now >= token.expires_at - STILL_USABLE_MARGIN:
                        raise
            return (("authorization", f"Bearer {token.token}"),)

    def renew(self) -> bool:
        """The service refused the token (revoked, or expired early): fetch another now."""
        with self._lock:
            self._fetch(self._clock())
            return True

    def _fetch(self, now: float) -> IssuedToken:
        self._token = self._exchange(self.key, now)
        self.exchanges += 1
        return self._token

    def __repr__(self) -> str:
        return f"ServiceAccountCredentials({self.key.key_id})"
