"""A phrase's words as its text shows them (capitals, punctuation, digits), each with the time it is
said: from the recognizer's word timings where the result has them, shared out by length where not."""

from __future__ import annotations

import difflib
import re

from stt_tui.jobs.transcript import Utterance, Word
from stt_tui.outputs.subtitles import Piece

_EDGES = re.compile(r"^\W+|\W+$")


def _norm(token: str) -> str:
    return _EDGES.sub("", token.lower())


def word_starts(text: str, words: tuple[Word, ...]) -> tuple[list[str], list[int]]:
    """The phrase's text as tokens, and for each word the index of the token it starts at.

    Words are the recognizer's tokens (lowercase, no punctuation, numbers spelled out); the text is
    what the service returned (capitals, punctuation, digits). Words are matched to tokens in order;
    those that match no token (a number spelled out) share out the tokens between their neighbours.
    """
    tokens = text.split()
    n = len(words)
    starts: list[int | None] = [None] * n
    matcher = difflib.SequenceMatcher(None, [_norm(w.text) for w in words], [_norm(t) for t in tokens], False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            starts[block.a + k] = block.b + k
    i = 0
    while i < n:
        if starts[i] is not None:
            i += 1
            continue
        j = i
        while j < n and starts[j] is None:
            j += 1
        before = starts[i - 1] if i > 0 else -1
        after = starts[j] if j < n else len(tokens)
        assert before is not None and after is not None
        gap = max(after - before - 1, 0)
        for k in range(i, j):
            starts[k] = before + 1 + (k - i) * gap // (j - i) if gap else max(before, 0)
        i = j
    resolved = [s_ for s_ in starts if s_ is not None]
    for k in range(1, len(resolved)):
        resolved[k] = max(resolved[k], resolved[k - 1])
    return tokens, resolved


def pieces(u: Utterance) -> list[Piece]:
    """The phrase's words as its own text shows them (capitals, punctuation, digits), each with its time:
    from the recognized words' timings where the result has them; where it has none (a corrected phrase),
    the phrase's time shared out among its words by their length."""
    if not u.words:
        return spread(u.text.split(), u.start, u.end)
    tokens, starts = word_starts(u.text, u.words)
    if not tokens:
        return [Piece(w.text, w.start, w.end) for w in u.words]
    out: list[Piece] = []
    k, n = 0, len(u.words)
    while k < n:
        j = k  # words that start at the same token (a number spelled out) time it together
        while j + 1 < n and starts[j + 1] == starts[k]:
            j += 1
        first = 0 if k == 0 else starts[k]
        last = starts[j + 1] if j + 1 < n else len(tokens)
        out += spread(tokens[first:last], u.words[k].start, u.words[j].end)
        k = j + 1
    return out


def spread(tokens: list[str], start: float, end: float) -> list[Piece]:
    """Tokens said one after the other from `start` to `end`, each taking time by its length."""
    total = sum(len(t) for t in tokens) or 1
    out, at = [], start
    for token in tokens:
        until = at + (end - start) * len(token) / total
        out.append(Piece(token, at, until))
        at = until
    return out
