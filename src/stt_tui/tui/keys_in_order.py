"""Every key reaches what the keys before it left on screen.

Textual hands each key from the terminal to the focused widget as soon as it is read, and a binding acts
only once the key has bubbled back up to the app; what the action sets off (a message to the pane that
opens a filter box, a focus, a screen pushed or popped) happens later still. A burst (tmux and SSH deliver
one read of several keys) was handed out before the first key's action ran: the keys typed after Esc went
into the text box of the dialog Esc was closing, a word typed after `/` lost its first letter to the list.
Here the app hands on the next key only once the one before has been dealt with: taken by a widget, or
bubbled back and its binding run, and what that set off on screen has settled.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Input

# A key's way up can end in a widget removed before it answered (a closing screen's): the keys after it
# are handed on after this long at the latest, rather than held for ever.
PATIENCE_SECONDS = 1.0
# What a key sets off travels one queue a round (a message bubbling up a level, a focus asked of the app);
# the keys after it wait this many rounds at most, so that a screen that never falls quiet (an animation, a
# stream of messages) does not hold them.
SETTLING_ROUNDS = 12


class KeysInOrder(App[None]):
    """An app that hands keys on one at a time, each after the last has had its effect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_on_its_way: events.Key | None = None
        self._keys_waiting: deque[events.Key] = deque()
        self._attempt = 0  # a key deferred and handed again is a new attempt: old timers are not its own

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._key_on_its_way is not None or self._keys_waiting:  # none may pass those before it
                self._keys_waiting.append(event)
                return
            await self._hand_on(event)
            return
        await super().on_event(event)

    async def _hand_on(self, key: events.Key) -> None:
        if not self.screen_stack:  # the app is closing: nothing is left to take the key
            self._keys_waiting.clear()
            return
        screen = self.screen
        self._key_on_its_way = key
        self._attempt += 1
        attempt = self._attempt
        if not (screen.is_running and screen.is_mounted):  # pushed, not composed: its widgets are not there
            self._keys_waiting.appendleft(key)
            screen.call_after_refresh(self._released, key, attempt)
            asyncio.get_running_loop().call_later(PATIENCE_SECONDS, self._released, key, attempt)
            return
        try:
            await super().on_event(key)  # a priority binding acts here; any other key is forwarded
        finally:  # counted from here: a priority action may rightly take longer (a transcript opening)
            asyncio.get_running_loop().call_later(PATIENCE_SECONDS, self._released, key, attempt)
        if key.is_forwarded and key.is_printable and isinstance(self.focused, Input):
            self._handed(key)  # a text box takes a character, and nothing else moves: no need to wait
        elif key.is_forwarded:
            self._after(self.focused or self.screen, key, screen)
        else:
            self._settle(key, screen)

    def _after(self, node: DOMNode, key: events.Key, screen: Screen[object]) -> None:
        """Once `node` has dealt with `key`, its parent in turn; the app last, after its bindings ran."""

        def dealt_with() -> None:
            parent = None if isinstance(node, Screen) else node.parent
            if parent is not None and parent is not self:
                self._after(parent, key, screen)
            else:
                self.call_later(self._settle, key, screen)

        if not node.call_later(dealt_with):
            self.call_later(self._settle, key, screen)

    def _settle(self, key: events.Key, screen: Screen[object], rounds: int = 0) -> None:
        """Rounds in which the parts of the screen with messages waiting deal with them, until none has
        any. The app's own (a focus asked for) come before the next key, which is queued behind them."""
        if self._key_on_its_way is not key:
            return
        if not self.screen_stack:
            self._handed(key)
            return
        if self.screen is not screen:  # pushed or popped: the next key waits for its first refresh
            self.screen.call_after_refresh(self._settle, key, self.screen, rounds)
            return
        # A part not running yet (still mounting) would answer only once it is.
        parts = screen.walk_children(with_self=True)
        busy = [part for part in parts if part.is_running and part.message_queue_size]
        left = len(busy)
        if not left or rounds >= SETTLING_ROUNDS:
            self._handed(key)
            return

        def answered() -> None:
            nonlocal left
            left -= 1
            if left == 0:
                self._settle(key, screen, rounds + 1)

        for part in busy:
            if not part.call_later(answered):
                answered()

    def _released(self, key: events.Key, attempt: int) -> None:
        """A deferral ended, or the patience ran out, for this attempt of the key (not a later one)."""
        if attempt == self._attempt:
            self._handed(key)

    def _handed(self, key: events.Key) -> None:
        if self._key_on_its_way is key:
            self._key_on_its_way = None
        if self._key_on_its_way is None and self._keys_waiting:
            self.call_later(self._next_key)

    async def _next_key(self) -> None:
        if self._key_on_its_way is None and self._keys_waiting:
            await self._hand_on(self._keys_waiting.popleft())
