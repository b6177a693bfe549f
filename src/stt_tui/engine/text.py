"""Shaping recognized text the way the request asks. Pure functions."""

from __future__ import annotations

import re

# Letters, digits and the apostrophes/hyphens inside words; everything else at a word's edges goes.
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)
_PROFANITY = frozenset(
    """
    fuck fucking fucked fucker motherfucker shit shitty bullshit bitch bastard asshole dick cunt
    piss pissed cock wanker twat bollocks
    блять блядь бля сука хуй хуя хуе пизда пиздец ебать ебаный еблан мудак мудила гандон
    """.split()
)


def clean_word(word: str, literature: bool) -> str:
    """A word as a recognized token: no surrounding punctuation; lowercase unless literature style."""
    word = _EDGE_PUNCT.sub("", word.strip())
    return word if literature else word.lower()


def mask_profanity(word: str) -> str:
    """Keep the first letter of a profane word and mask the rest with `*`, as the service does."""
    bare = _EDGE_PUNCT.sub("", word).lower()
    if bare in _PROFANITY:
        start = word.lower().find(bare)
        return word[: start + 1] + "*" * (len(bare) - 1) + word[start + len(bare) :]
    return word


def shape_text(text: str, words: list[str], *, literature: bool, profanity_filter: bool) -> str:
    """The alternative's text: the model's punctuated text in literature style, else the plain words."""
    if literature:
        tokens = text.split()
        if profanity_filter:
            tokens = [mask_profanity(t) for t in tokens]
        return " ".join(tokens)
    return " ".join(words)


_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d{1,12}$")


def _spell(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    for value, name in _SCALES:
        if n >= value:
            head, rest = divmod(n, value)
            return _spell(head) + [name] + (_spell(rest) if rest else [])
    raise AssertionError(n)


def spell_number(token: str) -> list[str] | None:
    """English words for a token of digits ("1961" -> one thousand nine hundred sixty one), else None."""
    if not _NUMBER.match(token):
        return None
    return _spell(int(token.replace(",", "")))
