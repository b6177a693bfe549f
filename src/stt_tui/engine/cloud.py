"""The engine's strict cloud mode: behave like the real service's front door, for tests.

Every call but the IAM exchange needs `authorization` (an API key it knows, or an IAM token it issued);
IAM tokens come from service-account JWTs checked as IAM checks them (PS256, kid, iss, aud, lifetime);
quotas answer RESOURCE_EXHAUSTED. v2 audio is read only from Object Storage URIs (object_source.py); v3
takes content up to 60 MB as well.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jwt

from stt_tui.shared.speechkit import (
    CHECKS_PER_HOUR,
    JWT_AUDIENCE,
    MAX_JWT_CHARS,
    MAX_JWT_SECONDS,
    REQUESTS_PER_HOUR,
    STORAGE_REGION,
    STORAGE_URL,
    V3_CHECKS_PER_SECOND,
)

INVALID_TOKEN = "Token is invalid or has expired."  # the service's own wording

IAM_CREATE = "/yandex.cloud.iam.v1.IamTokenService/Create"
SUBMIT = "/yandex.cloud.ai.stt.v2.SttService/LongRunningRecognize"
CHECK = "/yandex.cloud.operation.OperationService/Get"
SUBMIT_V3 = "/speechkit.stt.v3.AsyncRecognizer/RecognizeFile"
RESULTS_V3 = "/speechkit.stt.v3.AsyncRecognizer/GetRecognition"


class Refused(Exception):
    """A call the cloud front door turns away; carries the status code to answer with."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AccountKey:
    """The public half of a service account's authorized key, as IAM knows it."""

    key_id: str
    service_account_id: str
    public_key: str

    @classmethod
    def from_file(cls, path: Path) -> AccountKey:
        """The key's public half; ValueError with a sentence if the file is not an authorized key."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["id"], data["service_account_id"], data["public_key"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(
                f"{path} is not an authorized key file (id, service_account_id, public_key)."
            ) from None


@dataclass
class CloudConfig:
    api_keys: Sequence[str] = ()
    account_keys: Sequence[AccountKey] = ()
    token_lifetime: float = 12 * 3600
    requests_per_window: int = REQUESTS_PER_HOUR
    checks_per_window: int = CHECKS_PER_HOUR
    quota_window: float = 3600.0
    v3_checks_per_second: int = V3_CHECKS_PER_SECOND
    storage_endpoint: str = ""
    storage_uri_base: str = STORAGE_URL
    storage_region: str = STORAGE_REGION
    storage_ca_file: str | None = None
    # The key the engine reads buckets with; None: boto3's usual sources ($AWS_ACCESS_KEY_ID ...).
    storage_access_key_id: str | None = None
    storage_secret_access_key: str | None = field(default=None, repr=False)


@dataclass
class TokenIssuer:
    """IamTokenService/Create: checks a JWT, hands out a token that lives `lifetime` seconds."""

    keys: dict[str, AccountKey]
    lifetime: float
    clock: Callable[[], float] = time.time
    _tokens: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0

    def create(self, token_jwt: str) -> tuple[str, float]:
        """(token, expires_at) for a valid JWT; raises Refused like IAM does."""
        if not token_jwt:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "jwt is required.")
        if len(token_jwt) > MAX_JWT_CHARS:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, f"jwt is longer than {MAX_JWT_CHARS} characters.")
        self.verify(token_jwt)
        token = "t1." + secrets.token_urlsafe(48)
        expires = self.clock() + self.lifetime
        with self._lock:
            now = self.clock()
            self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = expires
            self.issued += 1
        return token, expires

    def verify(self, token_jwt: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token_jwt)
        except jwt.PyJWTError:
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, "The JWT is malformed.") from None
        if header.get("alg") != "PS256":
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, f"JWT algorithm {header.get('alg')!r}; use PS256.")
        key = self.keys.get(str(header.get("kid", "")))
        if key is None:
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, f"Key '{header.get('kid', '')}' was not found.")
        try:
            claims = jwt.decode(
                token_jwt,
                key.public_key,
                algorithms=["PS256"],
                audience=JWT_AUDIENCE,
                issuer=key.service_account_id,
                options={"require": ["iss", "aud", "iat", "exp"]},
                leeway=5,
            )
        except jwt.InvalidSignatureError:
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, "The JWT signature is invalid.") from None
        except jwt.PyJWTError as exc:
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, f"The JWT is not acceptable: {exc}.") from None
        if claims["exp"] - claims["iat"] > MAX_JWT_SECONDS:
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, "The JWT may live at most one hour.")
        return claims

    def valid(self, token: str) -> bool:
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and self.clock() < expires


@dataclass
class Quota:
    """A sliding-window count of calls; `take()` says whether one more fits."""

    limit: int
    window: float
    clock: Callable[[], float] = time.monotonic
    _calls: deque[float] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self._lock:
            now = self.clock()
            while self._calls and self._calls[0] <= now - self.window:
                self._calls.popleft()
            if len(self._calls) >= self.limit:
                return False
            self._calls.append(now)
            return True


def check_authorization(
    metadata: Sequence[tuple[str, str | bytes]], api_keys: set[str], issuer: TokenIssuer
) -> None:
    """Raise Refused(UNAUTHENTICATED) unless the call carries a known API key or a live IAM token."""
    values = [
        v if isinstance(v, str) else v.decode(errors="replace") for k, v in metadata if k == "authorization"
    ]
    if not values:
        raise Refused(
            grpc.StatusCode.UNAUTHENTICATED,
            "The request has no authorization: send 'Api-Key <key>' or 'Bearer <IAM token>'.",
        )
    scheme, _, secret = values[0].partition(" ")
    if scheme == "Api-Key":
        if secret not in api_keys:
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, "Unknown api key.")
    elif scheme == "Bearer":
        if not issuer.valid(secret):
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, INVALID_TOKEN)
    else:
        raise Refused(grpc.StatusCode.UNAUTHENTICATED, f"Unknown authorization scheme {scheme!r}.")


def _refusal(refused: Refused) -> grpc.RpcMethodHandler[Any, Any]:
    def answer(request: Any, context: grpc.ServicerContext) -> None:
        context.abort(refused.code, str(refused))

    return grpc.unary_unary_rpc_method_handler(answer)


class CloudInterceptor(grpc.ServerInterceptor):  # type: ignore[type-arg]
    """Authorization and quotas in front of every method, as the cloud's API gateway does."""

    def __init__(self, config: CloudConfig, issuer: TokenIssuer) -> None:
        self.api_keys = set(config.api_keys)
        self.issuer = issuer
        requests = Quota(config.requests_per_window, config.quota_window)  # one quota for both APIs
        self.quotas = {
            SUBMIT: requests,
            SUBMIT_V3: requests,
            CHECK: Quota(config.checks_per_window, config.quota_window),
            RESULTS_V3: Quota(config.v3_checks_per_second, 1.0),
        }

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler[Any, Any] | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        method = handler_call_details.method
        if method != IAM_CREATE:
            try:
                check_authorization(
                    handler_call_details.invocation_metadata or (), self.api_keys, self.issuer
                )
                quota = self.quotas.get(method)
                if quota is not None and not quota.take():
                    raise Refused(grpc.StatusCode.RESOURCE_EXHAUSTED, "Quota exceeded, try again later.")
            except Refused as refused:
                return _refusal(refused)
        return continuation(handler_call_details)
