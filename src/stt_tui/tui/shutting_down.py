"""Handlers that must not fail when a message arrives as the app shuts down."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from textual.app import App
from textual.css.query import NoMatches
from textual.message import Message

A = TypeVar("A", bound=App[None])
M = TypeVar("M", bound=Message)


def while_shown(handler: Callable[[A, M], None]) -> Callable[[A, M], None]:
    """For handlers that update the main screen: a message arriving as the app shuts down, after
    the screen's widgets are gone, has nothing left to update."""

    @functools.wraps(handler)
    def wrapper(self: A, event: M) -> None:
        try:
            handler(self, event)
        except NoMatches:
            if self.is_running:  # not shutting down: a real bug, let it show
                raise

    return wrapper
