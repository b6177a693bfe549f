"""`submit --wait` and `wait` on a terminal: one line per job, rewritten in place until all are done."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TextIO

from stt_tui.jobs.model import Job
from stt_tui.outputs.formatting import live_line

REDRAW_SECONDS = 1.0


class LiveJobs:
    """Draws a block of job lines on a terminal stream and keeps it current; draws nothing on a pipe.

    The block is erased when done, so the final lines (printed once, on stdout) are never doubled.
    """

    def __init__(
        self,
        stream: TextIO,
        jobs: Iterable[Job],
        expected: Callable[[Job], float | None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.jobs = {j.id: j for j in jobs}
        self.expected = expected
        self.clock = clock
        self._drawn = 0  # lines of the block on screen

    def update(self, job: Job) -> None:
        if job.id in self.jobs:
            self.jobs[job.id] = job
            self.draw()

    def draw(self) -> None:
        if not self.enabled:
            return
        now = self.clock()
        lines = [live_line(j, now, self.expected(j)) for j in self.jobs.values()]
        up = f"\033[{self._drawn}F" if self._drawn else ""
        self.stream.write(up + "".join(f"\r\033[K{line}\n" for line in lines))
        self.stream.flush()
        self._drawn = len(lines)

    def sleep(self, seconds: float) -> None:
        """Wait, redrawing the elapsed times every second."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.draw()
            time.sleep(min(left, REDRAW_SECONDS))

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write(f"\033[{self._drawn}F\033[J")
            self.stream.flush()
            self._drawn = 0
