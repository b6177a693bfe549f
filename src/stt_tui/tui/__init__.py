"""The terminal UI: a Textual frontend over the job core."""

from __future__ import annotations

from pathlib import Path

from ..config import Profile
from ..paths import Paths


def create_app(paths: Paths, profile: Profile, start: Path, **kw):
    """The app, as the command line and the tests make it."""
    from .app import SttApp

    return SttApp(paths, profile, start, **kw)
