"""Transcripts rendered from a stored Operation: txt, json, srt, vtt; per channel and merged."""

from __future__ import annotations

import json

import pytest
from google.protobuf import json_format

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.operations import operation_to_json
from stt_tui.engine.recognition import stream_events
from stt_tui.engine.recognizer import RecognizedWord, Utterance
from stt_tui.jobs.model import StoredResult
from stt_tui.outputs.export import (
    MAX_CUE_CHARS,
    MAX_CUE_SECONDS,
    ExportError,
    render,
    utterances,
)
from stt_tui.outputs.timing import word_starts
from tests.support.transcripts import operation_json, parse_srt, parse_vtt


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
    # A cue's lines break at a space (issue 33): its text is its lines joined by one.
    assert " ".join(text.replace("\n", " ") for *_, text in cues) == " ".join(w for w, _, _ in words)
    assert all(len(line) <= 42 for *_, text in cues for line in text.split("\n"))
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


def test_subtitles_carry_the_text_the_service_returned():
    text = "Ten of clubs. Four Queen of clubs. Seven of clubs. Five, five."
    words = "ten of clubs four queen of clubs seven of clubs five five".split()
    timed = [(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(words)]
    op = operation_json([(1, timed)]).replace(
        '"text": "ten of clubs four queen of clubs seven of clubs five five"', f'"text": "{text}"'
    )
    op = op.replace('"text":"ten of clubs four queen of clubs seven of clubs five five"', f'"text":"{text}"')
    assert render(op, "txt") == text + "\n"
    # A cue may be two lines now (issue 33): read as the viewer does, its lines joined by a space.
    srt = " ".join(c[3].replace("\n", " ") for c in parse_srt(render(op, "srt")))
    vtt = " ".join(c[2].replace("\n", " ") for c in parse_vtt(render(op, "vtt")))
    assert srt == text and vtt == text


def test_words_map_onto_tokens_even_when_numbers_are_spelled_out():
    from stt_tui.outputs.export import Word

    words = tuple(Word(w, 0, 0) for w in "in twenty twenty we met".split())
    tokens, starts = word_starts("In 2020, we met.", words)
    assert tokens == ["In", "2020,", "we", "met."]
    assert starts == sorted(starts) and starts[0] == 0 and starts[3] == 2 and starts[4] == 3


def utt(start: float, text: str, language: str = "") -> Utterance:
    words = [
        RecognizedWord(start + i * 0.3, start + i * 0.3 + 0.25, w, 0.9) for i, w in enumerate(text.split())
    ]
    return Utterance(start, start + 0.3 * len(words), text, words, 0.9, language, 0.99)


def test_speakers_and_languages_reach_every_export():
    from stt_tui.engine.validation_v3 import check_recognize_file as accept

    wav = v3.AudioFormatOptions(container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV))
    norm = v3.TextNormalizationOptions(text_normalization=1)  # type: ignore[arg-type]
    spec = accept(v3.RecognizeFileRequest(
        recognition_model=v3.RecognitionModelOptions(audio_format=wav, text_normalization=norm,
            language_restriction=v3.LanguageRestrictionOptions(restriction_type=1, language_code=["en-US"])),  # type: ignore[arg-type]
    ))  # fmt: skip
    events = stream_events(
        [(0, utt(0.0, "i have 2 cards", "en-US")), (1, utt(2.0, "hello there", "en-US"))], spec, "op1"
    )
    kinds = [e.WhichOneof("Event") for e in events.streaming_responses]
    assert kinds == ["final", "final_refinement", "eou_update"] * 2
    assert events.streaming_responses[0].final.alternatives[0].text == "i have two cards"  # raw: as spoken
    assert (
        events.streaming_responses[1].final_refinement.normalized_text.alternatives[0].text
        == "i have 2 cards"
    )
    assert {e.session_uuid.user_request_id for e in events.streaming_responses} == {"op1"}
    operation = json_format.MessageToJson(operation_pb2.Operation(id="op1", done=True))
    document = StoredResult(operation, json_format.MessageToJson(events)).document()
    items = utterances(document, speakers=True)
    assert [(u.who, u.text, u.language) for u in items] == [
        ("Speaker 1", "i have 2 cards", "en-US"), ("Speaker 2", "hello there", "en-US"),
    ]  # fmt: skip
    assert render(document, "txt", speakers=True) == "Speaker 1: i have 2 cards\nSpeaker 2: hello there\n"
    assert "<v Speaker 2>hello there" in render(document, "vtt", speakers=True)
    assert "Speaker 1: i have 2 cards" in render(document, "srt", speakers=True)
    assert render(document, "txt", channel=2, speakers=True) == "hello there\n"
    assert render(document, "txt").startswith("Channel 1: ")  # without speaker labeling: channels
    assert json.loads(render(document, "json"))["operation"]["id"] == "op1"
