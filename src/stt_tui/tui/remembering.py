"""Remembering preferences: kept at once, handed to the main screen, written in the background (a failure
only forgets them) (the app mixes this in)."""

from __future__ import annotations

import contextlib
from typing import Any

from textual import on, work

from stt_tui.settings import preferences
from stt_tui.shared.paths import Paths
from stt_tui.tui.main.screen import MainScreen
from stt_tui.tui.messages import Remember
from stt_tui.tui.notifying import NotifyingApp
from stt_tui.tui.shutting_down import while_shown


class Remembering(NotifyingApp):
    paths: Paths
    main: MainScreen

    @on(Remember)
    @while_shown
    def _remember(self, event: Remember) -> None:
        self.remember(**event.changes)

    def remember(self, **changes: Any) -> None:
        """Keep a preference for the next run (written in the background; a failure is not fatal)."""
        self.prefs = self.prefs.with_(**changes)
        self.main.use_prefs(self.prefs)
        self.save_preferences(self.prefs)

    @work(thread=True, group="preferences", exclusive=True, exit_on_error=False, description="save settings")
    def save_preferences(self, prefs: preferences.Preferences) -> None:
        # A preference that cannot be saved is only forgotten; the user's work is untouched.
        with contextlib.suppress(OSError):
            preferences.save(self.paths.preferences, prefs)

    def action_toggle_bell(self) -> None:
        self.remember(bell=not self.prefs.bell)
        self.notify("The bell rings for failures and expiring results." if self.prefs.bell else "No bell.")
