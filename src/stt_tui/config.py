"""Profiles: which backend a job goes to, and how it is polled."""

from __future__ import annotations

from dataclasses import dataclass

from .poller import LOCAL_POLICY, PollPolicy

LOCAL = "local"


class ConfigError(Exception):
    """The configuration is wrong or incomplete; the message says what to fix."""


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str  # "local": the embedded engine, started on demand; "cloud": fixed endpoints
    poll_policy: PollPolicy
    default_language: str
    default_model: str = "general"
    stt_endpoint: str | None = None
    operation_endpoint: str | None = None

    @property
    def local(self) -> bool:
        return self.kind == LOCAL


def builtin_profiles() -> dict[str, Profile]:
    # The bundled model recognizes English only, so the local profile defaults to it.
    return {LOCAL: Profile(LOCAL, LOCAL, LOCAL_POLICY, default_language="en-US")}


def load_profile(name: str | None) -> Profile:
    """The named profile (default: local)."""
    profiles = builtin_profiles()
    chosen = name or LOCAL
    if chosen not in profiles:
        raise ConfigError(f"There is no profile {chosen!r}; available: {', '.join(profiles)}.")
    return profiles[chosen]
