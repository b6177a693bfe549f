"""A terminal the tests drive: tmux running a command in a window of a given size, read back as text."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from tests.support.waiting import wait_until


class Terminal:
    def __init__(self, name: str) -> None:
        tmux = shutil.which("tmux")
        assert tmux, "tmux is needed for the terminal smoke test (.ci/run installs it)"
        self.base = [tmux, "-L", name]

    def run(self, *args: str) -> str:
        # The environment as Python holds it: readline, once imported (pytest does), exports COLUMNS and
        # LINES of the terminal pytest runs in to child processes, and an app inside tmux would take them
        # for the size of its window.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=True, env=env).stdout

    def start(self, width: int, height: int, command: str) -> None:
        """`command` in a new window of this size."""
        self.run("new-session", "-d", "-s", "smoke", "-x", str(width), "-y", str(height), command)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "smoke")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "smoke", *keys)

    def wait_for(
        self, *texts: str, timeout: float = 30.0, until: Callable[[str], bool] = lambda screen: True
    ) -> str:
        """The screen once every text is on it and `until` holds (a capture can catch a frame half
        drawn: a condition on the whole frame is waited for, not asserted on the first capture)."""

        def shown() -> str | None:
            screen = self.screen()
            return screen if all(text in screen for text in texts) and until(screen) else None

        try:
            return wait_until(shown, timeout, repr(texts), every=0.1)
        except AssertionError:
            raise AssertionError(f"{texts!r} never all appeared; the screen:\n{self.screen()}") from None
