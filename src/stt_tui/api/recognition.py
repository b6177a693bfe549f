"""The v3 result stream gathered into one result, checked for completeness. Pure: no I/O here."""

from __future__ import annotations

from collections.abc import Iterable

import grpc

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.api.errors import ServiceError


def channel_of(event: v3.StreamingResponse) -> str:
    """The channel (or speaker) an event belongs to: the top-level tag, else the deprecated inner one."""
    if event.channel_tag:
        return event.channel_tag
    kind = event.WhichOneof("Event")
    if kind in ("final", "partial"):
        return str(getattr(event, kind).channel_tag)
    if kind == "final_refinement":
        return event.final_refinement.normalized_text.channel_tag
    return ""


class ResultIncomplete(ServiceError):
    """The stream ended before the result did: it is fetched again later, never kept short."""

    def __init__(self, sentence: str) -> None:
        super().__init__(grpc.StatusCode.DATA_LOSS, sentence)


def gather(operation_id: str, events: Iterable[v3.StreamingResponse]) -> v3.StreamingResponseList:
    """Every event of a GetRecognition stream, in order, once the stream has ended normally.

    Each `final` is closed by an `eou_update` of its channel; a stream that stops between the two was
    cut, and raises ResultIncomplete rather than passing for a shorter transcript.
    """
    gathered = v3.StreamingResponseList()
    open_finals: dict[str, int] = {}  # channel -> finals not yet closed by an end of utterance
    for event in events:
        kind = event.WhichOneof("Event")
        channel = channel_of(event)
        if kind == "final":
            open_finals[channel] = open_finals.get(channel, 0) + 1
        elif kind == "eou_update":
            open_finals.pop(channel, None)
        gathered.streaming_responses.append(event)
    unclosed = sorted(c for c, n in open_finals.items() if n)
    if unclosed:
        raise ResultIncomplete(
            f"The result of operation {operation_id} ended early (channel {', '.join(unclosed)} stopped "
            "mid-utterance); it is fetched again later."
        )
    return gathered
