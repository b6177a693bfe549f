"""How the app tells the person things: notifications as plain text, alerts with the bell when it is
wanted, and the terminal's own notice for jobs that ended while the person was in another window."""

from __future__ import annotations

import os

from textual.app import App
from textual.notifications import SeverityLevel

from stt_tui.outputs import notify
from stt_tui.settings.config import Config
from stt_tui.settings.preferences import Preferences

NOTICE_GATHER_SECONDS = 1.0  # endings this close together are one notification


class TellingApp(App[None]):
    """The base of the app: what it says, and where."""

    config: Config
    prefs: Preferences

    def __init__(self) -> None:
        super().__init__()
        self._unseen: list[str] = []  # states of jobs that ended while the app was not focused

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification, always as plain text: it carries file names, errors and search words, and
        "talk [draft].wav" must not lose "[draft]" to markup (nor "[/]" raise). Widget.notify passes
        markup=True itself, so the argument is not honoured."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def alert(self, message: str, severity: SeverityLevel = "warning") -> None:
        """Something that needs a person: a notification, and the bell if asked for."""
        self.notify(message, severity=severity, timeout=15)
        if self.prefs.bell:
            self.bell()

    def tell_when_away(self, state: str) -> None:
        """A job ended (`state`): if the person is in another window, the terminal tells them, once for
        what ends together."""
        if self.app_focus or not self.config.notify:
            return
        if not self._unseen:
            self.set_timer(NOTICE_GATHER_SECONDS, self._notify_unseen)
        self._unseen.append(state)

    def _notify_unseen(self) -> None:
        ended, self._unseen = self._unseen, []
        if ended:
            notify.tell(os.environ, self.write_escape, notify.endings(ended))

    def write_escape(self, sequence: str) -> None:
        """An escape sequence for the terminal itself (a notification), in order with the frames, as
        App.bell writes its bell."""
        if not self.is_headless and self._driver is not None:
            self._driver.write(sequence)
