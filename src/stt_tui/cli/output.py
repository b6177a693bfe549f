"""What the command line prints, and the exit codes it ends with.

Data (names, transcripts, a server's details) may hold control characters: every line passes through
`printable` so that nothing from data can colour, move or split the terminal's output.
"""

from __future__ import annotations

import re
import signal
import sys
from typing import TextIO

from stt_tui.outputs.formatting import json_text
from stt_tui.shared.wording import printable

_SURROGATE = re.compile("[\ud800-\udfff]")

EXIT_OK = 0
EXIT_NO_MATCH = 1  # `search` found nothing (as grep says it)
EXIT_USER = 2  # bad arguments or input: fix the command
EXIT_SERVICE = 3  # the service or engine failed, refused, or could not be reached
EXIT_JOB_FAILED = 4  # a job ended without a transcript (failed, expired, cancelled)
EXIT_TIMEOUT = 5  # --timeout passed while jobs were still running
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # what a shell shows for a tool whose reader went away

EXIT_CODES_HELP = """exit codes:
  0  success
  1  search: nothing matched
  2  user error: bad arguments, a file the service cannot take, an unknown job
  3  service error: the engine or the service failed, refused, or could not be reached
  4  a job ended without a transcript (failed, expired or cancelled)
  5  --timeout passed while jobs were still running (they keep running)
"""


def err(message: str) -> None:
    """One sentence on stderr; whatever data it quotes is made printable first."""
    print(f"stt-tui: {printable(message)}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    err(f"warning: {message}")


def out(text: str, end: str = "\n") -> None:
    """Data on stdout (tables, transcripts): control characters never reach the terminal."""
    sys.stdout.write(printable(text, lines=True) + end)


def out_line(text: str) -> None:
    """One record a line (a search hit, a phrase): a newline or tab in its data is escaped with the rest,
    so that no data can make a line of its own that a reader would take for a record."""
    sys.stdout.write(printable(text) + "\n")


def out_json(data: object) -> None:
    """JSON for scripts; a name that was not UTF-8 (bytes held as lone surrogates) is written as its
    \\udcXX escape, which JSON allows and Python's readers turn back into the same bytes."""
    sys.stdout.write(_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text(data)) + "\n")


class Progress:
    """Conversion and hashing progress on stderr, only when a person is watching it."""

    def __init__(self, name: str, stream: TextIO | None = None) -> None:
        self.name = printable(name)
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = ""

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.enabled:
            return
        text = f"{stage} {self.name} {fraction:4.0%}"
        if text != self._last:
            self._last = text
            print(f"\r{text}", end="", file=self.stream, flush=True)

    def done(self) -> None:
        if self.enabled and self._last:
            print("\r\033[K", end="", file=self.stream, flush=True)
