"""Transcripts rendered from a stored result: txt, json (the raw Operation), srt and vtt.

Per channel, or every channel merged into one dialogue in time order with channel labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .api.operations import decode_operation, operation_from_json

FORMATS = ("txt", "json", "srt", "vtt")
MAX_CUE_CHARS = 84  # two subtitle lines of 42
MAX_CUE_SECONDS = 7.0


class ExportError(Exception):
    """The result cannot be rendered as asked; the message says why."""


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Utterance:
    """One chunk of the response: a channel's phrase with its timing."""

    channel: int
    text: str
    start: float
    end: float
    words: tuple[Word, ...]


def utterances(operation_json: str) -> list[Utterance]:
    """The chunks of a stored result, in time order (ties by channel)."""
    state = decode_operation(operation_from_json(operation_json))
    if state.response is None:
        raise ExportError("The job has no transcript: it did not finish successfully.")
    out = []
    for chunk in state.response.chunks:
        if not chunk.alternatives:
            continue
        alt = chunk.alternatives[0]
        words = tuple(
            Word(w.word, w.start_time.ToNanoseconds() / 1e9, w.end_time.ToNanoseconds() / 1e9)
            for w in alt.words
        )
        start = words[0].start if words else 0.0
        end = words[-1].end if words else start
        out.append(Utterance(int(chunk.channel_tag) or 1, alt.text, start, end, words))
    # Chunks without words keep their place after the timed ones of the same start.
    return sorted(out, key=lambda u: (u.start, u.channel))


def channels_of(items: list[Utterance]) -> list[int]:
    return sorted({u.channel for u in items})


def select(items: list[Utterance], channel: int | None) -> list[Utterance]:
    """One channel's utterances, or all of them (merged) when channel is None."""
    if channel is None:
        return items
    chosen = [u for u in items if u.channel == channel]
    if not chosen and channel not in channels_of(items):
        have = ", ".join(map(str, channels_of(items))) or "none"
        raise ExportError(f"The transcript has no channel {channel} (channels: {have}).")
    return chosen


def _label(u: Utterance, labelled: bool) -> str:
    return f"Channel {u.channel}: " if labelled else ""


def to_txt(items: list[Utterance], labelled: bool) -> str:
    return "".join(f"{_label(u, labelled)}{u.text}\n" for u in items)


def _timestamp(seconds: float, sep: str) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def cues(items: list[Utterance]) -> list[Utterance]:
    """Utterances split into subtitle-sized cues at word boundaries, each with a positive duration."""
    out = []
    for u in items:
        if not u.words:
            out.append(u)
            continue
        group: list[Word] = []
        for w in u.words:
            text = " ".join(x.text for x in [*group, w])
            if group and (len(text) > MAX_CUE_CHARS or w.end - group[0].start > MAX_CUE_SECONDS):
                out.append(_cue(u.channel, group))
                group = []
            group.append(w)
        out.append(_cue(u.channel, group))
    # Subtitle players skip cues that do not end after they start.
    return [Utterance(c.channel, c.text, c.start, max(c.end, c.start + 0.2), c.words) for c in out]


def _cue(channel: int, words: list[Word]) -> Utterance:
    return Utterance(channel, " ".join(w.text for w in words), words[0].start, words[-1].end, tuple(words))


def to_srt(items: list[Utterance], labelled: bool) -> str:
    blocks = []
    for n, c in enumerate(cues(items), start=1):
        span = f"{_timestamp(c.start, ',')} --> {_timestamp(c.end, ',')}"
        blocks.append(f"{n}\n{span}\n{_label(c, labelled)}{c.text}\n")
    return "\n".join(blocks)


def to_vtt(items: list[Utterance], labelled: bool) -> str:
    blocks = ["WEBVTT\n"]
    for c in cues(items):
        span = f"{_timestamp(c.start, '.')} --> {_timestamp(c.end, '.')}"
        text = f"<v Channel {c.channel}>{c.text}" if labelled else c.text
        blocks.append(f"{span}\n{text}\n")
    return "\n".join(blocks)


def render(operation_json: str, fmt: str, channel: int | None = None) -> str:
    """The transcript in `fmt`; `channel` picks one channel, None merges all of them."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if fmt == "json":
        return json.dumps(json.loads(operation_json), indent=2, ensure_ascii=False) + "\n"
    items = utterances(operation_json)
    chosen = select(items, channel)
    labelled = channel is None and len(channels_of(items)) > 1
    return {"txt": to_txt, "srt": to_srt, "vtt": to_vtt}[fmt](chosen, labelled)
