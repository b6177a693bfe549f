"""Credentials as gRPC metadata. Their repr never shows the secret, so they are safe in tracebacks."""

from __future__ import annotations

from typing import Protocol

Metadata = tuple[tuple[str, str], ...]


class Credentials(Protocol):
    def metadata(self) -> Metadata:
        """The metadata to send with each call."""
        ...


class NoAuth:
    """For the embedded engine, which needs no credentials."""

    def metadata(self) -> Metadata:
        return ()

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"

    __str__ = __repr__


class ApiKey(_Secret):
    """`authorization: Api-Key <key>`."""

    scheme = "Api-Key"


class IamToken(_Secret):
    """`authorization: Bearer <token>`."""

    scheme = "Bearer"
