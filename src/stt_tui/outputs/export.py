"""Transcripts rendered from a stored result: txt, json (the raw result), srt and vtt.

Per channel (or speaker), or all of them merged into one dialogue in time order with their labels.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.operations import decode_operation
from stt_tui.api.recognition import channel_of
from stt_tui.history.edits import NO_EDITS, Edits
from stt_tui.history.search import Phrase
from stt_tui.jobs.model import clock

FORMATS = ("txt", "json", "srt", "vtt", "csv", "tsv", "md")
MAX_CUE_CHARS = 84  # two subtitle lines of 42
MAX_CUE_SECONDS = 7.0


class ExportError(Exception):
    """The result cannot be rendered as asked; the message says why."""


def parse_formats(values: Iterable[str]) -> tuple[str, ...]:
    """Export formats as given (`["txt", "srt"]`, `"txt,srt"`, `none`), checked, in order, once each."""
    found: list[str] = []
    for value in values:
        for part in value.replace(" ", ",").split(","):
            fmt = part.strip().lower().lstrip(".")
            if not fmt or fmt == "none":
                continue
            if fmt not in FORMATS:
                raise ValueError(
                    f"{part.strip()!r} is not an export format; use {', '.join(FORMATS)} or none."
                )
            if fmt not in found:
                found.append(fmt)
    return tuple(found)


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Utterance:
    """One phrase of the result: a channel's (or a speaker's, numbered from 1) with its timing."""

    channel: int
    text: str
    start: float
    end: float
    words: tuple[Word, ...]
    speaker: bool = False  # `channel` numbers a speaker the service told apart in mono audio
    language: str = ""  # the language the phrase was recognized as, when the service says
    edited: bool = False  # a person corrected the text (its word timings are gone with the words)
    name: str = ""  # what a person called the channel or speaker

    @property
    def who(self) -> str:
        return self.name or f"{'Speaker' if self.speaker else 'Channel'} {self.channel}"


def with_edits(items: list[Utterance], edits: Edits) -> list[Utterance]:
    """The phrases as a person corrected and named them (pure). A corrected phrase keeps its start and
    end; its word timings went with the recognized words."""
    if edits.empty:
        return items
    out = []
    for n, u in enumerate(items):
        correction = edits.corrections.get(n)
        if correction is not None:
            u = dataclasses.replace(u, text=correction.text, words=(), edited=True)
        name = edits.names.get(u.channel)
        out.append(dataclasses.replace(u, name=name) if name else u)
    return out


def utterances(document: str, speakers: bool = False) -> list[Utterance]:
    """The phrases of a stored result (StoredResult.document), in time order (ties by channel).

    `speakers`: the job asked for speaker labeling, so a v3 result's tags are speakers, not channels.
    """
    data = json.loads(document)
    if "streamingResponses" in data:
        return _v3_utterances(data, speakers)
    state = decode_operation(json_format.ParseDict(data, operation_pb2.Operation()))
    if state.response is None:
        raise ExportError("The stored result holds no transcript: the job did not finish successfully.")
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


def _v3_utterances(data: dict[str, Any], speakers: bool) -> list[Utterance]:
    """Each `final` of a v3 stream, its text replaced by its refinement's (normalized) when there is one.

    Tags count from "0"; they are shown from 1, as v2 channels are.
    """
    events = json_format.ParseDict(
        {"streamingResponses": data.get("streamingResponses", [])},
        v3.StreamingResponseList(),
        ignore_unknown_fields=True,
    ).streaming_responses
    finals: dict[tuple[str, int], v3.Alternative] = {}
    order: list[tuple[str, int]] = []
    for event in events:
        kind = event.WhichOneof("Event")
        key = (channel_of(event), event.audio_cursors.final_index)
        if kind == "final" and event.final.alternatives:
            finals[key] = event.final.alternatives[0]
            order.append(key)
        elif kind == "final_refinement" and event.final_refinement.normalized_text.alternatives:
            key = (key[0], event.final_refinement.final_index)
            if key in finals:
                finals[key] = event.final_refinement.normalized_text.alternatives[0]
    out = []
    for key in order:
        alt = finals[key]
        if not alt.text:
            continue
        words = tuple(Word(w.text, w.start_time_ms / 1000, w.end_time_ms / 1000) for w in alt.words)
        tag = int(key[0]) + 1 if key[0].isdigit() else 1
        language = alt.languages[0].language_code if alt.languages else ""
        start, end = alt.start_time_ms / 1000, alt.end_time_ms / 1000
        out.append(Utterance(tag, alt.text, start, end, words, speaker=speakers, language=language))
    return sorted(out, key=lambda u: (u.start, u.channel))


def phrases(items: list[Utterance]) -> list[Phrase]:
    """The utterances as the search index keeps them, numbered in time order."""
    return [Phrase(n, u.channel, u.speaker, u.start, u.end, u.text) for n, u in enumerate(items)]


def channels_of(items: list[Utterance]) -> list[int]:
    return sorted({u.channel for u in items})


def select(items: list[Utterance], channel: int | None) -> list[Utterance]:
    """One channel's utterances, or all of them (merged) when channel is None."""
    if channel is None:
        return items
    chosen = [u for u in items if u.channel == channel]
    if not chosen and channel not in channels_of(items):
        have = ", ".join(map(str, channels_of(items))) or "none"
        kind = "speaker" if any(u.speaker for u in items) else "channel"
        raise ExportError(f"The transcript has no {kind} {channel} ({kind}s: {have}).")
    return chosen


def _label(u: Utterance, labelled: bool) -> str:
    return f"{u.who}: " if labelled else ""


def to_txt(items: list[Utterance], labelled: bool) -> str:
    return "".join(f"{_label(u, labelled)}{u.text}\n" for u in items)


def _timestamp(seconds: float, sep: str) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


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


def cues(items: list[Utterance]) -> list[Utterance]:
    """Utterances split into subtitle-sized cues at word boundaries, each with a positive duration.

    The words time the cues; the text of each cue is the part of the phrase's own text those words
    cover, so punctuation, capitals and digits stay as the service returned them.
    """
    out = []
    for u in items:
        if not u.words:
            out += _split_by_time(u)
            continue
        groups: list[list[Word]] = []
        group: list[Word] = []
        for w in u.words:
            text = " ".join(x.text for x in [*group, w])
            if group and (len(text) > MAX_CUE_CHARS or w.end - group[0].start > MAX_CUE_SECONDS):
                groups.append(group)
                group = []
            group.append(w)
        groups.append(group)
        tokens, starts = word_starts(u.text, u.words)
        first = 0
        for g, words in enumerate(groups):
            last = first + len(words)
            begin = 0 if g == 0 else starts[first]
            end = len(tokens) if g == len(groups) - 1 else starts[last]
            text = " ".join(tokens[begin:end]) or " ".join(w.text for w in words)
            out.append(
                dataclasses.replace(u, text=text, start=words[0].start, end=words[-1].end, words=tuple(words))
            )
            first = last
    # Subtitle players skip cues that do not end after they start.
    return [dataclasses.replace(c, end=max(c.end, c.start + 0.2)) for c in out]


def _split_by_time(u: Utterance) -> list[Utterance]:
    """A phrase with no word timings (a corrected one), cut into subtitle-sized cues at spaces, each given
    its share of the phrase's time by its share of the text."""
    if len(u.text) <= MAX_CUE_CHARS:
        return [u]
    pieces: list[str] = []
    for token in u.text.split():
        if pieces and len(pieces[-1]) + 1 + len(token) <= MAX_CUE_CHARS:
            pieces[-1] += " " + token
        else:
            pieces.append(token)
    total = sum(len(p) for p in pieces) or 1
    span, at, out = u.end - u.start, u.start, []
    for piece in pieces:
        end = at + span * len(piece) / total
        out.append(dataclasses.replace(u, text=piece, start=at, end=end))
        at = end
    return out


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
        text = f"<v {c.who}>{c.text}" if labelled else c.text
        blocks.append(f"{span}\n{text}\n")
    return "\n".join(blocks)


def to_table(items: list[Utterance], sep: str) -> str:
    """One row per phrase: start and end in seconds, the channel or speaker (by name when named), text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(["start", "end", "speaker" if any(u.speaker for u in items) else "channel", "text"])
    for u in items:
        writer.writerow([f"{u.start:.3f}", f"{u.end:.3f}", u.who, u.text])
    return out.getvalue()


def to_md(items: list[Utterance], labelled: bool) -> str:
    """A readable transcript: `[00:14:03] Anna: …`, a paragraph per phrase (plain text that any Markdown
    viewer shows as it is); who speaks is named where there are several, or a name was given."""
    lines = []
    for u in items:
        who = f"{u.who}: " if labelled or u.name else ""
        lines.append(f"[{clock(u.start)}] {who}{u.text}")
    return "\n\n".join(lines) + ("\n" if lines else "")


def to_json(document: str, edits: Edits) -> str:
    """The whole stored result; what a person changed beside it (the recognized text stays as it came)."""
    data = json.loads(document)
    if not edits.empty:
        data["corrections"] = [
            {"phrase": c.n, "channel": c.channel, "text": c.text, "at": c.at}
            for c in edits.corrections.values()
        ]
        data["names"] = {str(channel): name for channel, name in sorted(edits.names.items())}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(
    document: str, fmt: str, channel: int | None = None, speakers: bool = False, edits: Edits = NO_EDITS
) -> str:
    """The transcript in `fmt`, with a person's corrections and names; `channel` picks one channel (or
    speaker), None merges all of them."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if fmt == "json":
        return to_json(document, edits)
    items = with_edits(utterances(document, speakers), edits)
    chosen = select(items, channel)
    if fmt in ("csv", "tsv"):
        return to_table(chosen, "," if fmt == "csv" else "\t")
    labelled = channel is None and len(channels_of(items)) > 1
    return {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "md": to_md}[fmt](chosen, labelled)
