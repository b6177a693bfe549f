"""Subtitle cues cut as subtitlers cut them (pure): Netflix's timed-text guidelines by default.

A phrase comes as its words, each with a time (`Piece`). The cues are chosen all at once (a shortest path
over the places a cue may end), so that each stays within the limits where it can, ends where a viewer
expects a pause (a sentence's end, a silence, a clause) rather than where a line happens to fill up, and
leaves no one- or two-word cue behind while the speech runs on. Inside a cue, the lines break at the best
place too (after punctuation, before a conjunction, never after an article or a preposition; balanced).
Then each cue is kept on screen long enough to be read (the minimum time, the reading speed), as long as
the next cue has not begun and the maximum time allows.

A word longer than a line is the one thing that may break a limit by itself: it is never cut.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from stt_tui.jobs.transcript import Word


@dataclass(frozen=True)
class SubtitleLimits:
    """What a cue may hold and how long it stays (config.toml's `[subtitles]`)."""

    line_chars: int = 42  # characters a line, spaces and punctuation counted
    lines: int = 2
    min_seconds: float = 5 / 6  # 20 frames at 24 fps
    max_seconds: float = 7.0
    chars_per_second: float = 20.0  # reading speed: the cue's characters (its line breaks not) over its time


NETFLIX = SubtitleLimits()


# A word as the viewer reads it (with its punctuation), and when it is said: a Word of the transcript
# model, whose text is the phrase's own token rather than the recognizer's.
Piece = Word


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


_SENTENCE_END = re.compile(r"[.!?…。！？][\"'»”’)\]]*$")
_CLAUSE_END = re.compile(r"[,;:—–][\"'»”’)\]]*$|^[-—–]$")
# Words a line or a cue should not end on (an article, a preposition, a particle: the next word belongs
# to it), and words one may start with (a conjunction opens a clause). English and Russian, lowercase.
_CLINGING = frozenset(
    "a an the of to in on at by for from with into onto about as than my your his her its our their this "
    "that these those am is are was were be have has had will would can could i we you he she it they "
    "not no and or but if "
    "в во на с со к ко по о об обо у за из от до для при про без над под перед через не ни и а но же бы "
    "я ты он она мы вы они мой твой его её их наш ваш этот эта это эти тот та те что как".split()
)
_OPENING = frozenset(
    "and but or so because which who whom whose that when while where although though if unless until "
    "since after before then и а но или что чтобы потому который которая которое которые когда где "
    "если хотя пока после перед затем".split()
)
PAUSE = 0.4  # seconds of silence between two words that a viewer hears as a pause


def _bare(word: str) -> str:
    return word.strip("\"'«»“”‘’()[],.;:!?…—–-").lower()


def break_cost(before: Piece, after: Piece) -> float:
    """How bad a cut between two words is: 0 at a sentence's end, more the less the speech pauses there."""
    gap = after.start - before.end
    if _SENTENCE_END.search(before.text):
        cost = 0.0
    elif gap >= PAUSE:
        cost = 1.0
    elif _CLAUSE_END.search(before.text):
        cost = 2.0
    elif _bare(after.text) in _OPENING:
        cost = 3.0
    else:
        cost = 6.0 - min(gap, PAUSE) / PAUSE * 2  # a short silence helps a little
    if _bare(before.text) in _CLINGING and not _CLAUSE_END.search(before.text):
        cost += 6.0
    return cost


def fits(words: Sequence[str], limits: SubtitleLimits, lead: int = 0) -> bool:
    """Whether the words fill at most `limits.lines` lines (filling each line before the next is the
    fewest lines there can be); `lead`: characters the first line already holds (a speaker's label)."""
    lines, used, empty = 1, lead, True
    for word in words:
        need = used + len(word) + (0 if empty else 1)
        if need <= limits.line_chars or empty:
            used, empty = need, False
        else:
            lines, used = lines + 1, len(word)
    return lines <= limits.lines


def wrap(words: Sequence[str], limits: SubtitleLimits, lead: int = 0) -> tuple[str, ...]:
    """The cue's words as lines: one line when they fit in one, else the best place(s) to break: after
    punctuation, before a conjunction, not after a word that clings to the next, lines of like length."""
    n = len(words)
    text = " ".join(words)
    if lead + len(text) <= limits.line_chars or n == 1:
        return (text,)

    def width(i: int, j: int) -> int:
        return sum(len(w) for w in words[i:j]) + (j - i - 1) + (lead if i == 0 else 0)

    def line_cost(i: int, j: int) -> float:
        w = width(i, j)
        if w > limits.line_chars and j - i > 1:
            return math.inf
        cost = 0.0
        if j < n:
            a, b = Piece(words[j - 1], 0, 0), Piece(words[j], 0, 0)
            cost += break_cost(a, b)
        return cost + ((limits.line_chars - w) / limits.line_chars) ** 2 * 4  # short lines look ragged

    # best[i][m]: the least cost of laying words[i:] into m lines.
    best: dict[tuple[int, int], tuple[float, int]] = {}

    def solve(i: int, m: int) -> tuple[float, int]:
        if (i, m) in best:
            return best[i, m]
        if m == 1:
            out = (line_cost(i, n), n)
        else:
            out = (math.inf, n)
            for j in range(i + 1, n):
                here = line_cost(i, j)
                if here == math.inf:
                    break
                rest = solve(j, m - 1)[0]
                if here + rest < out[0]:
                    out = (here + rest, j)
            alone = (line_cost(i, n), n)
            if alone[0] <= out[0]:
                out = alone
        best[i, m] = out
        return out

    lines, i, m = [], 0, limits.lines
    while i < n:
        _, j = solve(i, max(m, 1))
        lines.append(" ".join(words[i:j]))
        i, m = j, m - 1
    return tuple(lines)


def cut(pieces: Sequence[Piece], limits: SubtitleLimits = NETFLIX, lead: int = 0) -> list[tuple[int, int]]:
    """Where one phrase's words are cut into cues: (first, after last) index pairs, in order, covering
    every word once. A cue holds what fits in its lines and its maximum time (a word alone always fits)."""
    n = len(pieces)
    if n == 0:
        return []
    words = [p.text for p in pieces]
    # best[j]: the least cost of cues covering pieces[:j]; back[j]: where the last of them starts.
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for i in range(n):
        if best[i] == math.inf:
            continue
        for j in range(i + 1, n + 1):
            alone = j == i + 1
            span = pieces[j - 1].end - pieces[i].start
            if not alone and (span > limits.max_seconds or not fits(words[i:j], limits, lead)):
                break
            cost = best[i] + _cue_cost(pieces, i, j, limits)
            if cost < best[j]:
                best[j], back[j] = cost, i
    bounds = []
    j = n
    while j > 0:
        bounds.append((back[j], j))
        j = back[j]
    return bounds[::-1]


def _cue_cost(pieces: Sequence[Piece], i: int, j: int, limits: SubtitleLimits) -> float:
    """What a viewer would mind in a cue of pieces[i:j] of a phrase of len(pieces) words."""
    n = len(pieces)
    cost = 1.0  # a cue more: fewer, fuller cues read better than many small ones
    if j < n:
        cost += break_cost(pieces[j - 1], pieces[j])
    count = j - i
    if count <= 2 and n > count:  # an orphan: the speech runs on before or after it
        cost += 20.0
    # The time it may stay: until the next word of the phrase is said (the last cue may stay longer).
    until = pieces[j].start if j < n else pieces[j - 1].end
    shown = max(until - pieces[i].start, 1e-3)
    chars = sum(len(p.text) for p in pieces[i:j]) + count - 1
    if j < n and shown < limits.min_seconds:
        cost += 8.0
    over = chars / max(shown, limits.min_seconds) - limits.chars_per_second
    if over > 0 and j < n:
        cost += 4.0 * over / limits.chars_per_second
    # A sentence that begins at the cue's very end: its first words belong with the rest of it.
    for k in range(max(i, j - 2), j - 1):
        if _SENTENCE_END.search(pieces[k].text):
            cost += 3.0
    return cost


def on_screen(starts_ends: Sequence[tuple[float, float, int]], limits: SubtitleLimits) -> list[float]:
    """Each cue's end, given (start, end, characters) of cues in time order: kept on screen up to the
    minimum time and long enough to be read at the reading speed, never past the next cue's start nor the
    maximum time (the speech may be too fast for the limits; it is never hidden before it ends)."""
    ends = []
    for k, (start, end, chars) in enumerate(starts_ends):
        want = max(start + limits.min_seconds, start + chars / limits.chars_per_second)
        later = starts_ends[k + 1][0] if k + 1 < len(starts_ends) else math.inf
        room = min(max(later, start), start + limits.max_seconds)
        end = max(end, min(want, room))
        ends.append(end if end > start else start + 0.2)  # players skip a cue that ends as it starts
    return ends
