"""Transcripts rendered from a stored Operation: txt, json, srt, vtt; per channel and merged."""

from __future__ import annotations

import json
import re

import pytest

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.operations import operation_to_json
from stt_tui.outputs.export import MAX_CUE_CHARS, MAX_CUE_SECONDS, ExportError, render, utterances

# (channel, [(word, start, end), ...]) in the order a server might send them: channel by channel.
DIALOGUE = [
    (1, [("hello", 0.5, 0.9), ("there", 1.0, 1.4)]),
    (1, [("fine", 6.0, 6.3), ("thanks", 6.4, 6.9)]),
    (2, [("hi", 2.0, 2.2), ("how", 2.4, 2.6), ("are", 2.7, 2.8), ("you", 2.9, 3.3)]),
    (2, [("good", 8.0, 8.4)]),
]


def operation_json(chunks=DIALOGUE) -> str:
    response = stt.LongRunningRecognitionResponse()
    for channel, words in chunks:
        chunk = response.chunks.add(channel_tag=channel)
        alt = chunk.alternatives.add(text=" ".join(w for w, _, _ in words), confidence=0.9)
        for word, start, end in words:
            w = alt.words.add(word=word, confidence=0.9)
            w.start_time.FromNanoseconds(int(start * 1e9))
            w.end_time.FromNanoseconds(int(end * 1e9))
    op = operation_pb2.Operation(id="e03abcdefghij0123456", done=True)
    op.response.Pack(response)
    return operation_to_json(op)


TIME = r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)"


def seconds(match: tuple[str, ...]) -> float:
    h, m, s, ms = map(int, match)
    return h * 3600 + m * 60 + s + ms / 1000


def parse_srt(text: str) -> list[tuple[int, float, float, str]]:
    """A strict SRT reader: numbered blocks, a timing line, text, blank-line separated."""
    cues = []
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        assert len(lines) >= 3, block
        number = int(lines[0])
        m = re.fullmatch(f"{TIME} --> {TIME}", lines[1])
        assert m, lines[1]
        cues.append((number, seconds(m.groups()[:4]), seconds(m.groups()[4:]), "\n".join(lines[2:])))
    return cues


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.strip("\n").split("\n\n")[1:]:
        lines = block.split("\n")
        m = re.fullmatch(f"{TIME} --> {TIME}", lines[0])
        assert m, lines[0]
        cues.append((seconds(m.groups()[:4]), seconds(m.groups()[4:]), "\n".join(lines[1:])))
    return cues


def test_two_channels_merge_in_time_order_with_labels():
    text = render(operation_json(), "txt")
    assert text == (
        "Channel 1: hello there\nChannel 2: hi how are you\nChannel 1: fine thanks\nChannel 2: good\n"
    )


def test_one_channel_alone_has_no_labels():
    assert render(operation_json(), "txt", channel=2) == "hi how are you\ngood\n"
    with pytest.raises(ExportError, match="no channel 3 .channels: 1, 2"):
        render(operation_json(), "txt", channel=3)


def test_srt_parses_back_numbered_and_monotonic():
    cues = parse_srt(render(operation_json(), "srt"))
    assert [c[0] for c in cues] == [1, 2, 3, 4]
    starts = [c[1] for c in cues]
    assert starts == sorted(starts)
    assert all(end > start for _, start, end, _ in cues)
    assert cues[1] == (2, 2.0, 3.3, "Channel 2: hi how are you")


def test_vtt_parses_back_with_voice_tags():
    cues = parse_vtt(render(operation_json(), "vtt"))
    assert [c[2] for c in cues] == [
        "<v Channel 1>hello there",
        "<v Channel 2>hi how are you",
        "<v Channel 1>fine thanks",
        "<v Channel 2>good",
    ]
    assert [c[0] for c in cues] == sorted(c[0] for c in cues)
    single = parse_vtt(render(operation_json(), "vtt", channel=1))
    assert [c[2] for c in single] == ["hello there", "fine thanks"]


def test_long_utterances_are_split_into_readable_cues():
    words = [(f"word{i:02d}", i * 0.5, i * 0.5 + 0.4) for i in range(60)]
    cues = parse_srt(render(operation_json([(1, words)]), "srt"))
    assert len(cues) > 3
    assert all(len(text) <= MAX_CUE_CHARS for *_, text in cues)
    assert all(end - start <= MAX_CUE_SECONDS for _, start, end, _ in cues)
    assert " ".join(text for *_, text in cues) == " ".join(w for w, _, _ in words)
    assert all(a[2] <= b[1] for a, b in zip(cues, cues[1:], strict=False))  # no overlap within a channel


def test_json_is_the_stored_operation():
    stored = operation_json()
    assert json.loads(render(stored, "json")) == json.loads(stored)


def test_a_failed_job_has_no_transcript_and_formats_are_checked():
    op = operation_pb2.Operation(id="e03abcdefghij0123456", done=True)
    op.error.code = 3
    op.error.message = "Invalid audio received"
    with pytest.raises(ExportError, match="did not finish successfully"):
        render(operation_to_json(op), "srt")
    with pytest.raises(ExportError, match="Unknown format 'docx'"):
        render(operation_json(), "docx")


def test_hours_are_formatted():
    words = [("late", 3 * 3600 + 25 * 60 + 7.25, 3 * 3600 + 25 * 60 + 8.5)]
    assert "03:25:07,250 --> 03:25:08,500" in render(operation_json([(1, words)]), "srt")
    assert utterances(operation_json([(1, words)]))[0].start == pytest.approx(12307.25)
