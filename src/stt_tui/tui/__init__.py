"""The terminal UI: a Textual frontend over the use cases (service/). The app (app.py) owns the service and
the poll loop; the main screen and its panes (main/) compose the widgets (widgets/) and open the dialogs and
screens (screens/).

May import: every core package, never the engine and the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from stt_tui.settings.config import Profile
from stt_tui.shared.paths import Paths

if TYPE_CHECKING:
    from stt_tui.tui.app import SttApp


def create_app(paths: Paths, profile: Profile, start: Path, **kw: Any) -> SttApp:
    """The app, as the command line and the tests make it."""
    from stt_tui.tui.app import SttApp

    return SttApp(paths, profile, start, **kw)
