"""How a transcript's phrases read in its view: the time, the channel or speaker (or the name given it),
the text with the search's matches marked. Pure: the transcript screen lists what these return."""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text

from stt_tui.outputs.export import Utterance
from stt_tui.shared.wording import printable

CHANNEL_STYLES = ("bold cyan", "bold magenta")


def clock_text(seconds: float) -> str:
    m, s = divmod(max(seconds, 0.0), 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:04.1f}" if h else f"{m:02d}:{s:04.1f}"


def utterance_text(u: Utterance, *, labelled: bool, words: bool, query: str) -> Text:
    """One phrase's text (or its words with their times), matches of the query highlighted."""
    body = Text(printable(u.text))
    if words and u.words:
        body = Text(printable(" ".join(f"{w.text}@{w.start:.1f}" for w in u.words)))
    if query:
        body.highlight_regex(re.compile(re.escape(query), re.IGNORECASE), "reverse bold")
    return body


def utterance_row(u: Utterance, *, labelled: bool, words: bool, query: str) -> Table:
    """One phrase as a row: its start time, its channel when merged, then its text in a column of its
    own, so that a long phrase wraps under its text, not back to the left edge. A name a person gave
    is shown even on one channel."""
    labelled = labelled or bool(u.name)
    row = Table.grid(padding=(0, 2), expand=True)
    row.add_column(no_wrap=True, style="dim")
    if labelled:
        row.add_column(no_wrap=True)
    row.add_column(ratio=1)
    when = clock_text(u.start)
    if u.language:  # the language the service recognized the phrase as (v3)
        when = f"{when} {u.language}"
    if u.edited:
        when = f"{when} ✎"  # corrected by a person
    if labelled:
        # A name recognized by voice says so ("Anna (by voice)"): no person gave it.
        tag = u.who if u.by_voice else u.name or f"{'spk' if u.speaker else 'ch'}{u.channel}"
        row.add_row(Text(when), Text(printable(tag), style=CHANNEL_STYLES[(u.channel - 1) % 2]),
                    utterance_text(u, labelled=labelled, words=words, query=query))
    else:
        row.add_row(Text(when), utterance_text(u, labelled=labelled, words=words, query=query))
    return row


def matching(items: list[Utterance], query: str) -> list[int]:
    """Indices of the phrases that contain the query (case-insensitive)."""
    q = query.lower()
    return [i for i, u in enumerate(items) if q and q in u.text.lower()]
