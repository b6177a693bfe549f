"""File names as the history keeps them. Pure.

A Linux file name is bytes; Python holds the bytes that are not UTF-8 as lone surrogates (surrogateescape,
as argv and os.listdir give them), which SQLite cannot store as text. `stored` writes each such byte as NUL
and two hex digits: NUL is the one byte no file name can hold, so the form is never ambiguous, and a name
that is UTF-8 (nearly all) is stored as it is. `real` gives the name back, to open the file again.
"""

from __future__ import annotations

import re

_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_STORED_BYTE = re.compile("\x00([0-9a-f]{2})")


def stored(name: str) -> str:
    """The name as the history stores it (lossless; `real` undoes it)."""
    if name.isascii():
        return name
    return _ESCAPED_BYTE.sub(lambda m: f"\x00{ord(m.group()) - 0xDC00:02x}", name)


def real(name: str) -> str:
    """The name as the file system knows it, from the history's form."""
    if "\x00" not in name:
        return name
    return _STORED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), name)


def as_text(typed: str) -> str:
    """What a person typed (argv), as text: bytes that were not UTF-8 read as U+FFFD. For what is text, not
    a file's name: a job's reference, a correction, a name; SQLite stores text only."""
    return typed.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
