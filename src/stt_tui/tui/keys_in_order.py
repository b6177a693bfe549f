"""Every key reaches what the keys before it left on screen.

Textual hands each key from the terminal to the focused widget as soon as it is read, and a binding acts
only once the key has bubbled back up to the app; what the action sets off (a message to the pane that
opens a filter box, a focus, a screen pushed or popped) happens later still. A burst (tmux and SSH deliver
one read of several keys) was handed out before the first key's action ran: the keys typed after Esc went
into the text box of the dialog Esc was closing, a word typed after `/` lost its first letter to the list.
Here the app hands on the next key only once the one before has been dealt with: taken by a widget, or
bubbled back and its binding run, and what that set off on screen has settled. A key whose screen is read
in a worker first (a transcript, the profiles, the totals) holds the keys after it until that screen is
there (`hold_keys`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer, Input, Tooltip
from textual.widgets._toast import ToastRack

# A key's way up can end in a widget removed before it answered (a closing screen's): the keys after it
# are handed on after this long at the latest, rather than held for ever.
PATIENCE_SECONDS = 1.0
# What a key sets off travels one queue a round (a message bubbling up a level, a focus asked of the app);
# the keys after it wait this many rounds at most, so that a screen that never falls quiet (an animation, a
# stream of messages) does not hold them.
SETTLING_ROUNDS = 12
# What the terminal types: keys, and text pasted (which goes where the keys before it left the focus).
Typed = events.Key | events.Paste
# What keys never reach, and that is busy after most of them (a footer redrawn for the focus moved):
# not waited for.
NEVER_WAITED_FOR = (Footer, ToastRack, Tooltip)
# The longest the keys typed after a key wait for the screen it opens once a worker has read it.
HOLD_SECONDS = 3.0


class KeyHold:
    """Keys typed after the key that took this hold wait until it is released (the screen a worker read
    for is on screen), or dropped when nothing will open (they were meant for that screen: given to the
    one beneath, a `d` for the transcript would ask to forget the job). From any thread; once is enough."""

    def __init__(self, end: Callable[[KeyHold, bool], None] | None = None) -> None:
        self._end = end  # None: a hold that holds nothing (no app that keeps keys in order)
        self._loop = asyncio.get_running_loop() if end is not None else None
        self._thread = threading.get_ident()
        self._overtaken = False

    def release(self) -> None:
        """The keys go on (at once here, or soon from a worker's thread); more calls change nothing."""
        self._finish(dropping=False)

    def fail(self) -> None:
        """Nothing will open (a word says why): the keys held are dropped."""
        self._finish(dropping=True)

    def came_late(self, node: DOMNode, what: str) -> bool:
        """Whether `what`, read for the key that took the hold, comes too late to open: the hold's time ran
        out with keys typed after it, and they went on to the screen beneath; opened now, it would cover
        what they did (a question they asked). A word says so, and to ask again."""
        if self._overtaken:
            said = f"{what} took more than {HOLD_SECONDS:g} s to read; the keys typed meanwhile went on"
            node.app.notify(f"{said}, so it is not opened over them. Ask for it again.", severity="warning")
        return self._overtaken

    def _finish(self, dropping: bool) -> None:
        if self._loop is None:
            return
        if threading.get_ident() == self._thread:
            self._ended(dropping)
        else:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the app, and its keys, are gone
                self._loop.call_soon_threadsafe(self._ended, dropping)

    def _ended(self, dropping: bool) -> None:
        end, self._end = self._end, None
        if end is not None:
            end(self, dropping)

    @contextlib.contextmanager
    def until_passed_on(self) -> Iterator[Callable[[], None]]:
        """In a worker reading what a screen shows: failed on leaving the block, whatever it raised,
        unless it called `passed_on()` (the hold went on in a message to whoever opens the screen)."""
        passed = False

        def passed_on() -> None:
            nonlocal passed
            passed = True

        try:
            yield passed_on
        finally:
            if not passed:
                self.fail()


def hold_keys(node: DOMNode) -> KeyHold:
    """A hold on the keys typed after this one, from any part of an app (one that keeps no keys in order,
    as a widget's test app, gets a hold that holds nothing)."""
    app = node.app
    return app.hold_keys() if isinstance(app, KeysInOrder) else KeyHold()


class KeysInOrder(App[None]):
    """An app that hands keys on one at a time, each after the last has had its effect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_on_its_way: Typed | None = None
        self._keys_waiting: deque[Typed] = deque()
        self._attempt = 0  # a key deferred and handed again is a new attempt: old timers are not its own
        self._patience: asyncio.TimerHandle | None = None
        self._busy_before: set[DOMNode] = set()  # parts with messages waiting before the key: their own
        self._holds: dict[KeyHold, asyncio.TimerHandle] = {}
        self._ran_out: list[KeyHold] = []  # holds whose time ran out: a key handed on overtakes them

    def hold_keys(self, at_most: float = HOLD_SECONDS) -> KeyHold:
        """Hold the keys not handed on yet until the hold is released, `at_most` seconds."""
        hold = KeyHold(self._hold_ended)
        self._holds[hold] = asyncio.get_running_loop().call_later(at_most, self._hold_expired, hold)
        return hold

    def _hold_expired(self, hold: KeyHold) -> None:
        hold.release()
        if not self._holds:  # the keys waiting, and any typed before the screen comes, go on beneath
            self._ran_out.append(hold)

    def _hold_ended(self, hold: KeyHold, dropping: bool) -> None:
        if (timer := self._holds.pop(hold, None)) is not None:
            timer.cancel()
            if dropping:  # typed after the key that took the hold, for the screen that will not open
                self._keys_waiting.clear()
        self._go_on()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if self._key_on_its_way is not None or self._keys_waiting or self._holds:  # none may pass
                self._keys_waiting.append(event)
                return
            await self._hand_on(event)
            return
        await super().on_event(event)

    async def _hand_on(self, key: Typed) -> None:
        if not self.screen_stack:  # the app is closing: nothing is left to take the key
            self._keys_waiting.clear()
            return
        screen = self.screen
        self._key_on_its_way = key
        self._attempt += 1
        attempt = self._attempt
        for late in self._ran_out:  # what this key does, their screens would cover
            late._overtaken = True
        self._ran_out.clear()
        if not (screen.is_running and screen.is_mounted):  # pushed, not composed: its widgets are not there
            self._keys_waiting.appendleft(key)
            screen.call_after_refresh(self._released, key, attempt)
            self._be_patient(key, attempt)
            return
        if isinstance(key, events.Paste):  # into the focused box, as characters typed: nothing to wait for
            await super().on_event(key)
            self._handed(key)
            return
        self._busy_before = {part for part in screen.walk_children(with_self=True) if part.message_queue_size}
        try:
            await super().on_event(key)  # a priority binding acts here; any other key is forwarded
        finally:  # counted from here: a priority action may rightly take longer
            self._be_patient(key, attempt)
        if key.is_forwarded and key.is_printable and isinstance(self.focused, Input):
            self._handed(key)  # a text box takes a character, and nothing else moves: no need to wait
        elif key.is_forwarded:
            self._after(self.focused or self.screen, key, screen)
        else:
            self._settle(key, screen)

    def _after(self, node: DOMNode, key: Typed, screen: Screen[object]) -> None:
        """Once `node` has dealt with `key`, its parent in turn; the app last, after its bindings ran."""

        def dealt_with() -> None:
            parent = None if isinstance(node, Screen) else node.parent
            if parent is not None and parent is not self:
                self._after(parent, key, screen)
            else:
                self.call_later(self._settle, key, screen)

        if not node.call_later(dealt_with):
            self.call_later(self._settle, key, screen)

    def _settle(self, key: Typed, screen: Screen[object], rounds: int = 0) -> None:
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
        busy = self._busy_parts(screen)
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

    def _busy_parts(self, screen: Screen[object]) -> list[DOMNode]:
        """The parts of the screen the key may have set busy: with messages waiting, running (one still
        mounting would answer only once it is), not a footer or a toast, and either quiet before the key
        or on its way up (a folder of 30,000 files being listed is busy with its own, and held every key
        for as long as the patience lasted)."""
        tops = [top for kind in NEVER_WAITED_FOR for top in screen.query(kind)]
        never = {part for top in tops for part in top.walk_children(with_self=True)}
        way = set(self.focused.ancestors_with_self) if self.focused is not None else {screen}
        return [
            part
            for part in screen.walk_children(with_self=True)
            if part.is_running
            and part.message_queue_size
            and part not in never
            and (part in way or part not in self._busy_before)
        ]

    def _be_patient(self, key: Typed, attempt: int) -> None:
        if self._patience is not None:
            self._patience.cancel()
        self._patience = asyncio.get_running_loop().call_later(PATIENCE_SECONDS, self._released, key, attempt)

    def _released(self, key: Typed, attempt: int) -> None:
        """A deferral ended, or the patience ran out, for this attempt of the key (not a later one)."""
        if attempt == self._attempt:
            self._handed(key)

    def _handed(self, key: Typed) -> None:
        if self._key_on_its_way is key:
            self._key_on_its_way = None
            if self._patience is not None:
                self._patience.cancel()
                self._patience = None
        self._go_on()

    def _go_on(self) -> None:
        """The next key waiting, if nothing holds it."""
        if self._key_on_its_way is None and self._keys_waiting and not self._holds:
            self.call_later(self._next_key)

    async def _next_key(self) -> None:
        if self._key_on_its_way is None and self._keys_waiting and not self._holds:
            await self._hand_on(self._keys_waiting.popleft())
