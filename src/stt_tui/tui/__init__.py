"""The terminal UI: a Textual frontend over the job core."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Profile
from ..paths import Paths

if TYPE_CHECKING:
    from .app import SttApp


def create_app(paths: Paths, profile: Profile, start: Path, **kw: Any) -> SttApp:
    """The app, as the command line and the tests make it."""
    from .app import SttApp

    return SttApp(paths, profile, start, **kw)
