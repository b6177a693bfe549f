"""Reading a recognition request without copying its audio.

A request may carry up to 1 GB of inline audio. Parsed as a protobuf message, those bytes are copied
into the message and copied again each time `audio.content` is read: a 300 MB request peaked the engine
at three times its size. Here the request's wire bytes are walked by hand (the format is two levels of
length-delimited fields), the small config is parsed as a message, and the content stays a view of the
bytes gRPC received, written to the spool as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.engine.validation import RequestRefused

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


@dataclass(frozen=True)
class RecognizeRequest:
    """A LongRunningRecognitionRequest with its audio left where it arrived."""

    config: stt.RecognitionConfig
    content: memoryview | None  # inline audio: a view of the received bytes
    uri: str | None


@dataclass(frozen=True)
class RecognizeFileCall:
    """A v3 RecognizeFileRequest: its options parsed, its audio left where it arrived."""

    options: v3.RecognizeFileRequest  # everything but the audio
    content: memoryview | None
    uri: str | None


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise RequestRefused("The request is not a valid protobuf message.")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def fields(data: memoryview) -> list[tuple[int, int, memoryview | int]]:
    """(field number, wire type, value) of one message's fields; LEN values are views, not copies."""
    out: list[tuple[int, int, memoryview | int]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, kind = key >> 3, key & 7
        if kind == VARINT:
            value, pos = _varint(data, pos)
            out.append((number, kind, value))
        elif kind == LENGTH:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise RequestRefused("The request is not a valid protobuf message (a field overruns it).")
            out.append((number, kind, data[pos : pos + size]))
            pos += size
        elif kind in (FIXED64, FIXED32):
            pos += 8 if kind == FIXED64 else 4
        else:
            raise RequestRefused("The request is not a valid protobuf message.")
    if pos != len(data):
        raise RequestRefused("The request is not a valid protobuf message.")
    return out


def parse_recognize(raw: bytes) -> RecognizeRequest:
    """The request as the engine needs it; the last value of a field wins, as in protobuf."""
    config = stt.RecognitionConfig()
    content: memoryview | None = None
    uri: str | None = None
    for number, kind, value in fields(memoryview(raw)):
        if kind != LENGTH or not isinstance(value, memoryview):
            continue
        if number == 1:
            config.MergeFromString(bytes(value))  # small: the specification and a folder id
        elif number == 2:
            for inner, inner_kind, part in fields(value):
                if inner_kind != LENGTH or not isinstance(part, memoryview):
                    continue
                if inner == 1:  # oneof audio_source: the one set last is the one that counts
                    content, uri = part, None
                elif inner == 2:
                    try:
                        content, uri = None, bytes(part).decode("utf-8")
                    except UnicodeDecodeError:
                        raise RequestRefused("audio.uri is not UTF-8 text.") from None
    return RecognizeRequest(config, content, uri)


def parse_recognize_file(raw: bytes) -> RecognizeFileCall:
    """A v3 request as the engine needs it: fields 1 (content) and 2 (uri) are the oneof AudioSource,
    the rest are small option messages parsed as they are."""
    options = v3.RecognizeFileRequest()
    content: memoryview | None = None
    uri: str | None = None
    data = memoryview(raw)
    for number, kind, value in fields(data):
        if number == 1 and kind == LENGTH and isinstance(value, memoryview):
            content, uri = value, None
        elif number == 2 and kind == LENGTH and isinstance(value, memoryview):
            try:
                content, uri = None, bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                raise RequestRefused("uri is not UTF-8 text.") from None
        elif number > 2:
            single = v3.RecognizeFileRequest()
            # Re-encode the one field and let protobuf parse it: types stay the service's.
            single.MergeFromString(_field_bytes(number, kind, value))
            options.MergeFrom(single)
    return RecognizeFileCall(options, content, uri)


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field_bytes(number: int, kind: int, value: memoryview | int) -> bytes:
    key = _encode_varint(number << 3 | kind)
    if isinstance(value, memoryview):
        return key + _encode_varint(len(value)) + bytes(value)
    return key + _encode_varint(value)
