"""Speaker labeling by the engine over real gRPC (the v3 stubs): conversations made from the shared clips,
the voices told apart and counted, and the strict cloud mode labeling at most two, as the service."""

from __future__ import annotations

import json
from pathlib import Path

from bench.speakers import conversation, share_right, write_wav

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.api import SpeechKitClient
from stt_tui.jobs.model import JobState, RequestOptions
from tests.support.waiting import wait_until


def request(audio: bytes) -> v3.RecognizeFileRequest:
    return v3.RecognizeFileRequest(
        content=audio,
        recognition_model=v3.RecognitionModelOptions(
            audio_format=v3.AudioFormatOptions(
                container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV)
            ),
            language_restriction=v3.LanguageRestrictionOptions(
                restriction_type=v3.LanguageRestrictionOptions.WHITELIST, language_code=["en-US"]
            ),
        ),
        speaker_labeling=v3.SpeakerLabelingOptions(
            speaker_labeling=v3.SpeakerLabelingOptions.SPEAKER_LABELING_ENABLED
        ),
    )


def finals(client: SpeechKitClient, path: Path) -> list[v3.StreamingResponse]:
    """The `final` events of the file's recognition, speaker labeling asked for."""
    op = client.recognize_file(request(path.read_bytes()))
    wait_until(lambda: client.get_operation(op.id, "v3").done, 600, "the recognition")
    events = client.get_recognition(op.id).streaming_responses
    return [e for e in events if e.WhichOneof("Event") == "final"]


def words_of(events: list[v3.StreamingResponse]) -> list[tuple[str, float, float]]:
    return [
        (e.channel_tag, w.start_time_ms / 1000, w.end_time_ms / 1000)
        for e in events
        for w in e.final.alternatives[0].words
    ]


def test_two_voices_are_told_apart_as_the_service_tags_them(client, engine_dir):
    samples, truth = conversation(("spk1", "spk2"))
    events = finals(client, write_wav(engine_dir / "two.wav", samples))
    assert events[0].channel_tag == "0"  # the first to speak
    assert {e.channel_tag for e in events} == {"0", "1"}
    assert all(e.final.channel_tag == e.channel_tag for e in events)  # the deprecated tag too
    assert share_right(words_of(events), truth) >= 0.95
    # Each phrase holds one voice: no phrase spans two turns.
    for e in events:
        alt = e.final.alternatives[0]
        inside = [
            t
            for t in truth
            if t.start - 0.3 <= alt.start_time_ms / 1000 and alt.end_time_ms / 1000 <= t.end + 0.3
        ]
        assert inside, alt.text


def test_the_number_of_voices_is_estimated(client, engine_dir):
    samples, _ = conversation(("librivox",))
    events = finals(client, write_wav(engine_dir / "one.wav", samples))
    assert len(events) >= 5 and {e.channel_tag for e in events} == {"0"}
    samples, truth = conversation(("spk1", "spk2", "librivox"), turns=2)
    events = finals(client, write_wav(engine_dir / "three.wav", samples))
    assert {e.channel_tag for e in events} == {"0", "1", "2"}
    assert share_right(words_of(events), truth) >= 0.9


def test_the_strict_cloud_mode_labels_at_most_two(rig, tmp_path):
    """The conversation the engine tells three voices in (above) gets two labels, as from the service."""
    samples, _ = conversation(("spk1", "spk2", "librivox"), turns=2)
    audio = write_wav(tmp_path / "three.wav", samples)
    rig.write_config(api="v3", polling="work_seconds_per_audio_minute = 0.5", bucket="")
    service = rig.service()
    try:
        job = service.submit(audio, RequestOptions(language="en-US", speaker_labeling=True))
        (final,) = service.wait([job], timeout=600)
        assert final.state == JobState.DONE, final.last_error
        document = json.loads(service.history.result(final.id).document())
        assert {e["channelTag"] for e in document["streamingResponses"]} == {"0", "1"}
        merged = service.export(final, "txt")
        assert "Speaker 1: " in merged and "Speaker 2: " in merged and "Speaker 3" not in merged
    finally:
        service.close()
