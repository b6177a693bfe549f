"""Credentials as gRPC metadata. Their repr never shows the secret, so they are safe in tracebacks."""

from __future__ import annotations

from typing import Protocol

Metadata = tuple[tuple[str, str], ...]


class Credentials(Protocol):
    def metadata(self) -> Metadata:
        """The metadata to send with each call."""
        ...

    def renew(self) -> bool:
        """After UNAUTHENTICATED: get a fresh credential if this kind can; True if worth one retry."""
        ...


class NoAuth:
    """For the embedded engine, which needs no credentials."""

    def metadata(self) -> Metadata:
        return ()

    def renew(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NoAuth()"


class _Secret:
    scheme = ""

    def __init__(self, secret: str) -> None:
        secret = secret.strip()
        if not secret:
            raise ValueError(f"The {self.scheme} credential is empty.")
        self._secret = secret

    def metadata(self) -> Metadata:
        # gRPC metadata keys must be lowercase.
        return (("authorization", f"{self.scheme} {self._secret}"),)

    def renew(self) -> bool:
        return False  # a fixed key or token: asking again gives the same answer

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"

    __str__ = __repr__


class ApiKey(_Secret):
    """`authorization: Api-Key <key>`."""

    scheme = "Api-Key"


class IamToken(_Secret):
    """`authorization: Bearer <token>`."""

    scheme = "Bearer"
