"""Every gRPC failure as one sentence a person can act on.

The sentences never quote request metadata, so credentials cannot leak through them.
"""

from __future__ import annotations

import re

import grpc

from stt_tui.shared.wording import clause, printable

_MAX_DETAIL = 300


class ServiceError(Exception):
    """A call to the recognition service failed; `str()` is the sentence to show."""

    def __init__(self, code: grpc.StatusCode, sentence: str) -> None:
        super().__init__(sentence)
        self.code = code

    @property
    def code_name(self) -> str:
        return self.code.name


class ProtocolError(Exception):
    """The server answered with something that is not what the API promises."""


def _clean(details: str | None) -> str:
    """A server's details, ready to embed: printable, bounded, without their own full stop."""
    text = clause(printable(details or ""))
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return text


def explain(
    code: grpc.StatusCode,
    details: str | None,
    *,
    target: str,
    action: str,
    timeout: float | None = None,
    max_receive_bytes: int | None = None,
) -> str:
    """Turn a status code and its details into one sentence.

    `action` completes "could not ...", e.g. "submit the audio" or "check operation e03abc".
    """
    detail = _clean(details)
    suffix = f" ({detail})" if detail else ""
    match code:
        case grpc.StatusCode.UNAUTHENTICATED:
            return (
                f"The service at {target} rejected the credentials: the API key or IAM token is wrong "
                f"or has expired{suffix}."
            )
        case grpc.StatusCode.PERMISSION_DENIED:
            return (
                f"Permission denied, could not {action}: the service account needs the role "
                f"ai.speechkit-stt.user (and read access to the bucket){suffix}."
            )
        case grpc.StatusCode.RESOURCE_EXHAUSTED if detail.lower().startswith("server: received message"):
            sizes = [int(n) // 2**20 for n in re.findall(r"\d+", detail)[:2]]
            said = f" ({sizes[0]} MB; its limit is {sizes[1]} MB)" if len(sizes) == 2 else ""
            return (
                f"The service refused to {action}: the request is too large{said}; send large audio by "
                "URI (Object Storage), not inside the request."
            )
        case grpc.StatusCode.RESOURCE_EXHAUSTED if "larger than max" in detail.lower():
            limit = f" of {max_receive_bytes // 2**20} MB" if max_receive_bytes else ""
            return (
                f"Could not {action}: the answer is larger than the client's message limit{limit}; "
                "raise the receive limit."
            )
        case grpc.StatusCode.RESOURCE_EXHAUSTED:
            return f"Quota exceeded, could not {action}: wait before trying again{suffix}."
        case grpc.StatusCode.NOT_FOUND:
            return (
                f"Not found, could not {action}: the id is wrong, or its result has expired "
                "(results are kept for 3 days)."
            )
        case grpc.StatusCode.UNAVAILABLE:
            return f"Cannot reach the recognition service at {target}, could not {action}{suffix}."
        case grpc.StatusCode.DEADLINE_EXCEEDED:
            within = f" within {timeout:g} s" if timeout else " in time"
            return f"The service at {target} did not answer{within}, could not {action}."
        case (
            grpc.StatusCode.INVALID_ARGUMENT
            | grpc.StatusCode.FAILED_PRECONDITION
            | grpc.StatusCode.OUT_OF_RANGE
        ):
            return f"The service refused to {action}: {detail or 'invalid request'}."
        case grpc.StatusCode.UNIMPLEMENTED:
            return f"The server at {target} does not speak the SpeechKit API, could not {action}{suffix}."
        case grpc.StatusCode.CANCELLED:
            return f"The call was cancelled, could not {action}."
        case _:
            return f"The service failed to {action}: {detail or 'no details'} ({code.name})."


def from_rpc_error(
    error: grpc.RpcError,
    *,
    target: str,
    action: str,
    timeout: float | None = None,
    max_receive_bytes: int | None = None,
) -> ServiceError:
    """Wrap a raised grpc.RpcError (which is also a grpc.Call) into a ServiceError."""
    code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
    details = error.details() if isinstance(error, grpc.Call) else str(error)
    sentence = explain(
        code, details, target=target, action=action, timeout=timeout, max_receive_bytes=max_receive_bytes
    )
    return ServiceError(code, sentence)
