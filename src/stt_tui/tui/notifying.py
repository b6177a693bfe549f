"""How the app tells the person things: notifications as plain text, what the parts and the core report
(a failure, a result, a warning), alerts with the bell when it is wanted, and the terminal's own notice
for jobs that ended while the person was in another window."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from textual import on
from textual.message import Message
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import ModalScreen, Screen

from stt_tui.outputs import notify
from stt_tui.settings.config import Config
from stt_tui.settings.preferences import Preferences
from stt_tui.shared.wording import printable
from stt_tui.tui.keys_in_order import KeysInOrder
from stt_tui.tui.messages import ActionDone, ActionFailed

NOTICE_GATHER_SECONDS = 1.0  # endings this close together are one notification
# The longest a notification stays, by severity: 15 s stacked them over the screen (issue 33).
SHOWN_FOR: dict[SeverityLevel, float] = {"information": 5.0, "warning": 8.0, "error": 12.0}


class NotifyingApp(KeysInOrder):
    """The base of the app: what it says, and where."""

    config: Config
    prefs: Preferences

    def __init__(self) -> None:
        super().__init__()
        self._unseen: list[str] = []  # states of jobs that ended while the app was not focused
        self._held: list[Notification] = []  # said while a dialog was up: shown once it is closed
        self._dialog_said: set[str] = set()  # what a dialog says itself, on its way to on_notify

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
        dialog: bool = False,
    ) -> None:
        """A notification, always as plain text: it carries file names, errors and search words, and
        "talk [draft].wav" must not lose "[draft]" to markup (nor "[/]" raise). Widget.notify passes
        markup=True itself, so the argument is not honoured. Control characters and bytes that are not
        UTF-8 in what it quotes are shown escaped, as everywhere else. It stays at most SHOWN_FOR its
        severity; `dialog`: the open dialog's own, shown over it (Dialog.notify)."""
        longest = SHOWN_FOR[severity]
        shown_for = longest if timeout is None else min(timeout, longest)
        text = printable(message)
        if dialog:
            self._dialog_said.add(text)
        super().notify(text, title=title, severity=severity, timeout=shown_for, markup=False)

    def on_notify(self, event: Notify) -> None:
        """In place of App._on_notify: a repeat replaces the older one, and one said while a dialog is
        up (a job ended, a watch found a file) waits until the person has closed it."""
        event.prevent_default()
        if not self.screen_stack:  # said as the app closes (a switch's word): nowhere left to show it
            return
        new = event.notification
        for old in list(self._notifications):
            if (old.message, old.title) == (new.message, new.title):
                self._unnotify(old, refresh=False)
        own = new.message in self._dialog_said  # the dialog's own word (Dialog.notify)
        self._dialog_said.discard(new.message)
        if isinstance(self.screen, ModalScreen) and not own:
            self._held = [n for n in self._held if (n.message, n.title) != (new.message, new.title)]
            self._held.append(new)
        else:
            self._notifications.add(new)
        self._refresh_notifications()

    def notices(self) -> list[Notification]:
        """The notifications on screen now (those held while a dialog is up are not)."""
        return list(self._notifications)

    def _screen_changed(self, screen: Screen[object]) -> None:
        if self._held and not isinstance(screen, ModalScreen):
            held, self._held = self._held, []
            for notification in held:  # shown for their full time from now
                notification.raised_at = time.time()
                self.post_message(Notify(notification))

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)

    # --- what the parts say, in one notification each ---------------------------------------------

    @dataclass
    class CoreWarning(Message):
        """Something worth knowing that stops nothing (a warning from the core)."""

        message: str

    def _warn(self, message: str) -> None:
        """For the core's warnings, from any thread."""
        self.post_message(self.CoreWarning(message))

    def _tell(self, message: str) -> None:
        """For what the core did unasked (transcripts written beside the audio), from any thread."""
        self.post_message(ActionDone(message))

    @on(ActionFailed)
    def _action_failed(self, event: ActionFailed) -> None:
        self.notify(event.message, severity="error", timeout=10)

    @on(ActionDone)
    def _action_done(self, event: ActionDone) -> None:
        self.notify(event.message)

    @on(CoreWarning)
    def _notice(self, event: CoreWarning) -> None:
        self.notify(event.message, severity="warning", timeout=15)

    def alert(self, message: str, severity: SeverityLevel = "warning") -> None:
        """Something that needs a person: a notification, and the bell if asked for."""
        self.notify(message, severity=severity, timeout=SHOWN_FOR["error"])
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
