"""How the job list's lines read: its columns fitted to a width, the header, a row, the empty-list hint.

Pure: no widget, no I/O (the list draws what these return).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Protocol

from rich.text import Text

from stt_tui.jobs import columns
from stt_tui.jobs.model import Job
from stt_tui.shared.wording import printable

Column = tuple[str, str, int]  # key, header, width (fitted), from jobs/columns.py

COLUMNS: tuple[Column, ...] = tuple((c.key, c.header, c.width) for c in columns.COLUMNS)
MIN_FILE = 16
SORT_KEYS = columns.KEYS


class JobSource(Protocol):
    """What the list reads: the history's windows (see history/windows.py)."""

    def ordered_ids(self, sort: str, descending: bool, query: str = "", limit: int = -1) -> list[int]: ...

    def jobs_by_id(self, ids: Iterable[int]) -> dict[int, Job]: ...

    def count(self) -> int: ...


def layout(width: int, id_digits: int) -> list[Column]:
    """The columns that fit in `width`, with their widths (pure)."""
    chosen = list(COLUMNS)

    def fixed(cols: list[Column]) -> int:
        return sum(w or max(id_digits + 1, 2) for k, _, w in cols if k != "file") + len(cols) - 1

    while len(chosen) > 5 and width - fixed(chosen) < MIN_FILE:
        chosen.pop()
    file_width = max(width - fixed(chosen), 8)
    return [(k, label, file_width if k == "file" else (w or max(id_digits + 1, 2))) for k, label, w in chosen]


def column_at(columns: list[Column], x: int) -> str | None:
    """The key of the column at offset `x` of a line (None on a gap or past the last)."""
    start = 0
    for key, _, w in columns:
        if start <= x < start + w:
            return key
        start += w + 1
    return None


def header_text(columns: list[Column], sort_by: str, descending: bool, width: int) -> Text:
    """The column names, the sorted one with its direction."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for n, (key, label, w) in enumerate(columns):
        arrow = (" ▼" if descending else " ▲") if key == sort_by else ""
        text.append(f"{'' if n == 0 else ' '}{(label + arrow)[:w]:<{w}}")
    text.truncate(width, pad=True)
    return text


def row_text(
    job: Job, values: dict[str, str | Text], columns: list[Column], marked: bool, width: int
) -> Text:
    """One job's line: each cell cut or padded to its column, a mark beside the number."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for n, (key, _, w) in enumerate(columns):
        cell = values[key]
        if key == "id" and marked:
            cell = Text(f"●{job.id}", style="bold magenta")
        piece = cell.copy() if isinstance(cell, Text) else Text(cell)
        piece.truncate(w, overflow="ellipsis", pad=True)
        if n:
            text.append(" ")
        text.append_text(piece)
    text.truncate(width, pad=True)
    return text


def hint_lines(filter_text: str, width: int, sending: bool = False) -> list[Text]:
    """What to do when the list is empty (the first launch), or why it is (a filter; a first file still
    being read), wrapped to the width.

    Wrapped, not cut: on a narrow terminal the sentence that says which key to press must stay whole.
    """
    if filter_text:
        sentences = [f"No job matches '{printable(filter_text)}'.", "Esc clears the filter."]
    elif sending:  # not "No jobs yet, press s" to someone who just did
        sentences = ["The job appears here once the file is read and sent."]
    else:
        sentences = [
            "No jobs yet. Pick an audio file above and press s (space marks several),",
            "or open the app on your recordings: stt-tui ~/recordings",
        ]
    room = max(width - 2, 10)
    if all(len(sentence) <= room for sentence in sentences):
        lines = sentences
    else:  # one paragraph, so that no line holds a sentence's last word alone
        lines = textwrap.wrap(" ".join(sentences), room, break_on_hyphens=False)
    out = []
    for line in lines:
        text = Text("  " + line, style="italic", no_wrap=True, overflow="ellipsis")
        text.truncate(width, pad=True)
        out.append(text)
    return out
