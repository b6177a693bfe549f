"""Transcripts rendered from a stored result: txt, json (the raw result), srt, vtt, csv, tsv and md.

Per channel (or speaker), or all of them merged into one dialogue in time order with their labels. What
a person or the service wrote is made literal in each format by its own rules (outputs/escape).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from google.protobuf import json_format

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.errors import ProtocolError
from stt_tui.api.operations import decode_operation
from stt_tui.api.recognition import channel_of
from stt_tui.history.edits import NO_EDITS, Edits
from stt_tui.history.search import Phrase
from stt_tui.jobs.model import clock
from stt_tui.jobs.transcript import Utterance as Utterance  # the model lives with the job types;
from stt_tui.jobs.transcript import Word as Word  # named here too for the modules that import it from here
from stt_tui.outputs.escape import cell, md_text, one_line, srt_text, vtt_text
from stt_tui.outputs.subtitles import NETFLIX, Piece, SubtitleLimits, cut, on_screen, wrap
from stt_tui.outputs.timing import pieces
from stt_tui.shared.wording import detail

FORMATS = ("txt", "json", "srt", "vtt", "csv", "tsv", "md")
WORD_FORMATS = ("csv", "tsv", "json")  # the formats that can hold a row per word
MAX_CUE_CHARS = NETFLIX.line_chars * NETFLIX.lines  # the default limits, as outputs/subtitles keeps them
MAX_CUE_SECONDS = NETFLIX.max_seconds
_VTT_SPACE = re.compile("[ \t\n\f\r]+")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")


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
        heard = edits.heard.get(u.channel) if u.speaker else None
        if name:
            u = dataclasses.replace(u, name=name)
        elif heard:
            u = dataclasses.replace(u, name=heard, by_voice=True)
        out.append(u)
    return out


def utterances(document: str, speakers: bool = False) -> list[Utterance]:
    """The phrases of a stored result (StoredResult.document), in time order (ties by channel).

    `speakers`: the job asked for speaker labeling, so a v3 result's tags are speakers, not channels.
    """
    try:
        data = json.loads(document)
        if isinstance(data, dict) and "streamingResponses" in data:
            return _v3_utterances(data, speakers)
        state = decode_operation(json_format.ParseDict(data, operation_pb2.Operation()))
    except (ValueError, TypeError, AttributeError, json_format.ParseError, ProtocolError) as exc:
        # A damaged row (a disk error, a hand edit): one sentence wherever the transcript is read.
        raise ExportError(f"The stored result is damaged and cannot be read{detail(str(exc))}.") from None
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
    # A name a person gave is said even on one channel, as csv, tsv, md and json say it.
    return f"{u.who}: " if labelled or u.name else ""


def to_txt(items: list[Utterance], labelled: bool) -> str:
    return "".join(f"{one_line(_label(u, labelled) + u.text)}\n" for u in items)


def _timestamp(seconds: float, sep: str) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def cues(items: list[Utterance], limits: SubtitleLimits = NETFLIX, labelled: bool = False) -> list[Utterance]:
    """The phrases cut into subtitle cues (outputs/subtitles), in time order: each a part of one phrase,
    its text the words it shows, its time from their first start to the end a viewer needs to read them.
    `labelled`: each cue's first line begins with who speaks (srt), which takes room in it."""
    made: list[tuple[Utterance, list[Piece]]] = []
    for u in items:
        timed = pieces(u)
        for first, last in cut(timed, limits, len(_label(u, labelled))):
            made.append((u, timed[first:last]))
    made.sort(key=lambda m: m[1][0].start)
    ends = on_screen([(p[0].start, p[-1].end, len(_joined(p))) for _, p in made], limits)
    return [
        dataclasses.replace(u, text=_joined(p), start=p[0].start, end=end, words=())
        for (u, p), end in zip(made, ends, strict=True)
    ]


def _joined(timed: list[Piece]) -> str:
    return " ".join(p.text for p in timed)


def to_srt(items: list[Utterance], labelled: bool, limits: SubtitleLimits = NETFLIX) -> str:
    blocks = []
    for n, c in enumerate(cues(items, limits, labelled), start=1):
        span = f"{_timestamp(c.start, ',')} --> {_timestamp(c.end, ',')}"
        label = _label(c, labelled)
        lines = wrap(c.text.split(), limits, len(label))
        text = "\n".join(srt_text(line) for line in (label + lines[0], *lines[1:]))
        blocks.append(f"{n}\n{span}\n{text}\n")
    return "\n".join(blocks)


def to_vtt(items: list[Utterance], labelled: bool, limits: SubtitleLimits = NETFLIX) -> str:
    blocks = ["WEBVTT\n"]
    for c in cues(items, limits):
        span = f"{_timestamp(c.start, '.')} --> {_timestamp(c.end, '.')}"
        text = "\n".join(vtt_text(line) for line in wrap(c.text.split(), limits))
        voiced = labelled or c.name  # a name given even to the one channel of mono audio is said
        blocks.append(f"{span}\n<v {_voice(c)}>{text}\n" if voiced else f"{span}\n{text}\n")
    return "\n".join(blocks)


def _voice(u: Utterance) -> str:
    """The name in a voice tag: WebVTT reads runs of its white space as one space. Any white space at the
    ends goes too: some readers (webvtt-py) take a tag whose name starts with a no-break space for text."""
    name = _VTT_SPACE.sub(" ", vtt_text(u.who)).strip()
    return name or vtt_text(dataclasses.replace(u, name="").who)


def to_table(items: list[Utterance], sep: str) -> str:
    """One row per phrase: start and end in seconds, the channel or speaker (by name when named), text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(["start", "end", "speaker" if any(u.speaker for u in items) else "channel", "text"])
    for u in items:
        writer.writerow([f"{u.start:.3f}", f"{u.end:.3f}", cell(u.who), cell(u.text)])
    return out.getvalue()


def word_rows(items: list[Utterance]) -> list[tuple[float, float, str, int, str, str]]:
    """(start, end, who, phrase, word, timing) for every word: the recognized words with their own times
    (timing "recognized"); a corrected phrase's words, whose times went with the recognized ones, share
    the phrase's time by their length (timing "spread"). Phrases are numbered from 1 in time order."""
    rows = []
    for n, u in enumerate(items, start=1):
        if u.words:
            rows += [(w.start, w.end, u.who, n, w.text, "recognized") for w in u.words]
        else:
            rows += [(p.start, p.end, u.who, n, p.text, "spread") for p in pieces(u)]
    return rows


def to_words(items: list[Utterance], fmt: str) -> str:
    """A row per word, as csv, tsv or json."""
    kind = "speaker" if any(u.speaker for u in items) else "channel"
    rows = word_rows(items)
    if fmt == "json":
        data = [
            {"start": round(s, 3), "end": round(e, 3), kind: who, "phrase": n, "word": w, "timing": t}
            for s, e, who, n, w, t in rows
        ]
        return _json_text(data)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writerow(["start", "end", kind, "phrase", "word", "timing"])
    for s, e, who, n, w, t in rows:
        writer.writerow([f"{s:.3f}", f"{e:.3f}", cell(who), n, cell(w), t])
    return out.getvalue()


def to_md(items: list[Utterance], labelled: bool) -> str:
    """A readable transcript: `[00:14:03] Anna: …`, a paragraph per phrase (its text escaped, so that any
    Markdown viewer shows it as it is); who speaks is named where there are several, or a name was given."""
    lines = []
    for u in items:
        who = f"{u.who}: " if labelled or u.name else ""
        lines.append(f"[{clock(u.start)}] {md_text(who + u.text)}")
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
        if edits.heard:  # names no person gave: voices named in other jobs, recognized here
            data["names_by_voice"] = {str(channel): name for channel, name in sorted(edits.heard.items())}
    return _json_text(data)


def _json_text(data: object) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    # JSON escapes C0 controls itself; DEL, C1 controls (a terminal may run them) and lone surrogates (a
    # name that was not UTF-8, which no UTF-8 file can hold) are escaped too: read back as they were.
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(
    document: str,
    fmt: str,
    channel: int | None = None,
    speakers: bool = False,
    edits: Edits = NO_EDITS,
    *,
    subtitles: SubtitleLimits = NETFLIX,
    words: bool = False,
) -> str:
    """The transcript in `fmt`, with a person's corrections and names; `channel` picks one channel (or
    speaker), None merges all of them; `subtitles`: the limits srt and vtt cues keep to; `words`: a row
    per word instead of per phrase (csv, tsv and json only)."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if words:
        if fmt not in WORD_FORMATS:
            raise ExportError(f"Only csv, tsv and json have a row per word; {fmt} has none.")
        return to_words(select(with_edits(utterances(document, speakers), edits), channel), fmt)
    if fmt == "json":
        return to_json(document, edits)
    items = with_edits(utterances(document, speakers), edits)
    chosen = select(items, channel)
    if fmt in ("csv", "tsv"):
        return to_table(chosen, "," if fmt == "csv" else "\t")
    labelled = channel is None and len(channels_of(items)) > 1
    if fmt == "srt":
        return to_srt(chosen, labelled, subtitles)
    if fmt == "vtt":
        return to_vtt(chosen, labelled, subtitles)
    return {"txt": to_txt, "md": to_md}[fmt](chosen, labelled)
