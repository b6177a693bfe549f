"""Waiting for a condition: the one deadline loop of the tests, for a thread (`wait_until`) and for the
app's loop under Pilot (`wait_for`, which lets the app run while it waits)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Pausing(Protocol):
    """What `wait_for` needs of Textual's Pilot: a pause that lets the app's loop run."""

    async def pause(self, delay: float | None = None) -> None: ...


def _asking(condition: Callable[[], T | None], timeout: float, what: str) -> Iterator[T | None]:
    """The condition's values as it is asked again and again, up to its first true one; an AssertionError
    once `timeout` has passed without one. The caller pauses between the asks as its thread can."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        found = bool(value)  # judged once: a list it returns may fill while the caller pauses
        yield value
        if found:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}")


def wait_until(
    condition: Callable[[], T | None], timeout: float = 60.0, what: str = "", every: float = 0.2
) -> T:
    """The first true value of `condition`, asked every `every` seconds; an AssertionError after `timeout`.
    An assertion inside `condition` fails the wait at once (a process that died need not be waited for)."""
    for value in _asking(condition, timeout, what):
        if value:
            return value
        time.sleep(every)
    raise AssertionError("unreachable: the asking ends with a true value or raises")


async def wait_for(
    pilot: Pausing, condition: Callable[[], Any], timeout: float = 30.0, what: str = "", every: float = 0.05
) -> Any:
    """`wait_until` for a test driving the app through Pilot: the app's loop runs between the asks."""
    for value in _asking(condition, timeout, what):
        if value:
            return value
        await pilot.pause(every)
    raise AssertionError("unreachable: the asking ends with a true value or raises")
