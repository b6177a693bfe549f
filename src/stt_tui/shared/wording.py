"""How text from data and errors is put into sentences shown to a person. Pure.

Names of files, transcripts and details from a server are data: they may hold escape sequences or
newlines that would colour or split a terminal's output, so they pass through `printable` on their way
out. Error sentences nest (a refusal carries the server's reason): `clause` keeps the punctuation single.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidirectional marks and overrides that can make a name read backwards, the
# invisible ones that make two names look alike (zero width space, line and paragraph separators, BOM; the
# joiners stay, scripts and emoji need them), and lone surrogates: the bytes of a file name that were not
# UTF-8, as Python holds them (no stream can write them).
_INVISIBLE = r"\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_CONTROL = re.compile(rf"[\x00-\x1f{_INVISIBLE}]")
_CONTROL_KEEP_LINES = re.compile(rf"[\x00-\x08\x0b-\x1f{_INVISIBLE}]")
_IRREGULAR = {"match": "matches", "phrase": "phrases", "was": "were", "is": "are", "has": "have"}


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    if 0xDC80 <= ord(c) <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): shown as that byte
        return f"\\x{ord(c) - 0xDC00:02x}"
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c) or (
        f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
    )


def printable(text: str, *, lines: bool = False) -> str:
    """`text` safe to write to a terminal: control characters shown as escapes (`\\x1b`).

    `lines`: newlines and tabs stay (a transcript); otherwise they are escaped too (a name in a row).
    """
    return (_CONTROL_KEEP_LINES if lines else _CONTROL).sub(_escape, text)


def clause(text: str) -> str:
    """A sentence made ready to be embedded in another: trimmed, without its final full stop."""
    return " ".join(text.split()).rstrip(".")


def detail(text: str | None, *, limit: int = 300) -> str:
    """' (text)' for a non-empty detail, bounded and printable; '' when there is nothing to say."""
    cleaned = clause(printable(text or ""))
    if not cleaned:
        return ""
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return f" ({cleaned})"


def quoted(value: str, limit: int = 60) -> str:
    """A value repeated in an error: quoted, printable, and cut so a huge value cannot flood the answer."""
    shown = printable(value)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"


def plural(n: int, word: str) -> str:
    """'1 phrase', '2 phrases', '2 matches'."""
    return f"{n:,} {word if n == 1 else _IRREGULAR.get(word, word + 's')}"
