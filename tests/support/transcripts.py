"""Transcripts as the service stores them (a two-channel dialogue), and strict readers of SRT and WebVTT."""

from __future__ import annotations

import re

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.operations import operation_to_json

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
