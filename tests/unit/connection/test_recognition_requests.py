"""What is asked of each API: the route of a file (inline, bucket, converted), its options, the request."""

from __future__ import annotations

import json

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.audio.prepare import Payload
from stt_tui.audio.probe import Encoding, Probe, Verdict
from stt_tui.connection.recognition_requests import build_file_request, options_problem_for, route
from stt_tui.engine.validation import WAV
from stt_tui.engine.validation_v3 import check_recognize_file
from stt_tui.jobs.model import RequestOptions, parse_languages

MB = 1024**2


def probe(size: int, seconds: float, channels: int = 1) -> Probe:
    return Probe("/a/talk.wav", size, "wav", "pcm_s16le", seconds, channels, 48000)


NATIVE = Verdict(Encoding.LINEAR16_PCM)


def test_route_inline_bucket_or_converted():
    assert route(probe(30 * MB, 300), NATIVE, upload="auto", has_bucket=False).inline
    big = route(probe(70 * MB, 760), NATIVE, upload="auto", has_bucket=True)
    assert not big.inline and big.problem is None and not big.verdict.convert
    # No bucket: converted to Ogg Opus (32 kbit/s per channel) it fits, so that is what is sent.
    fitted = route(probe(70 * MB, 760), NATIVE, upload="auto", has_bucket=False)
    assert fitted.inline and fitted.verdict.convert and fitted.verdict.encoding == Encoding.OGG_OPUS
    assert "over the 60 MB" in fitted.verdict.reasons[0]
    # 4 h of stereo does not fit even as Opus, and there is no bucket.
    hopeless = route(probe(900 * MB, 4 * 3600, 2), NATIVE, upload="auto", has_bucket=False)
    assert hopeless.problem and "no bucket" in hopeless.problem
    assert not route(probe(MB, 10), NATIVE, upload="always", has_bucket=True).inline
    assert route(probe(MB, 10), NATIVE, upload="always", has_bucket=False).problem


def test_what_each_api_can_be_asked():
    assert "needs API v3" in options_problem_for("v2", RequestOptions(language="auto", languages=("en-US",)))
    assert "needs API v3" in options_problem_for("v2", RequestOptions(speaker_labeling=True))
    assert "needs API v3" in options_problem_for("v2", RequestOptions(phone_formatting=False))
    assert options_problem_for("v2", RequestOptions()) is None
    assert "`auto` only" in options_problem_for("v3", RequestOptions(language="en-US", languages=("ru-RU",)))
    assert "mono audio only" in options_problem_for("v3", RequestOptions(speaker_labeling=True), channels=2)
    assert options_problem_for("v3", RequestOptions(speaker_labeling=True), channels=1) is None
    assert parse_languages("en-US") == ("en-US", ())
    assert parse_languages("en-US, ru-RU,en-US") == ("auto", ("en-US", "ru-RU"))
    assert parse_languages("auto,ru-RU,xx") == ("auto", ("ru-RU", "xx"))  # checked later, not dropped
    options = RequestOptions(language="auto", languages=("en-US", "ru-RU"), speaker_labeling=True)
    assert RequestOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options
    assert RequestOptions.from_dict({"language": "ru-RU"}).languages == ()  # rows written before v3


def payload(encoding=Encoding.LINEAR16_PCM, wav=False) -> Payload:
    return Payload(__import__("pathlib").Path("/o/x"), encoding, 16000, 2, "ab", wav=wav)


def test_the_recognize_file_request():
    options = RequestOptions(
        language="auto", languages=("en-US", "ru-RU"), model="deferred-general", profanity_filter=True,
        speaker_labeling=True, phone_formatting=False,
    )  # fmt: skip
    request = build_file_request(payload(wav=True), options, content=b"RIFF")
    model = request.recognition_model
    assert request.WhichOneof("AudioSource") == "content" and request.content == b"RIFF"
    assert model.audio_format.container_audio.container_audio_type == v3.ContainerAudio.WAV
    assert model.model == "deferred-general"
    restriction = model.language_restriction
    assert restriction.restriction_type == v3.LanguageRestrictionOptions.WHITELIST
    assert list(restriction.language_code) == ["en-US", "ru-RU"]
    norm = model.text_normalization
    assert norm.text_normalization == v3.TextNormalizationOptions.TEXT_NORMALIZATION_ENABLED
    assert norm.profanity_filter and not norm.literature_text
    assert norm.phone_formatting_mode == v3.TextNormalizationOptions.PHONE_FORMATTING_MODE_DISABLED
    assert request.speaker_labeling.speaker_labeling == v3.SpeakerLabelingOptions.SPEAKER_LABELING_ENABLED
    raw = build_file_request(
        payload(), RequestOptions(language="ru-RU", raw_results=True), uri="https://s/b/k"
    )
    assert raw.uri == "https://s/b/k" and not raw.HasField("speaker_labeling")
    fmt = raw.recognition_model.audio_format.raw_audio
    assert (fmt.audio_encoding, fmt.sample_rate_hertz, fmt.audio_channel_count) == (1, 16000, 2)
    assert list(raw.recognition_model.language_restriction.language_code) == ["ru-RU"]
    norm = raw.recognition_model.text_normalization.text_normalization  # type: ignore[assignment]
    assert norm == v3.TextNormalizationOptions.TEXT_NORMALIZATION_DISABLED
    # The engine reads back what the client sends.
    accepted = check_recognize_file(build_file_request(payload(wav=True), RequestOptions(language="auto",
                                    languages=("en-US", "ru-RU")), content=b"x"))  # fmt: skip
    assert (accepted.encoding, accepted.language, accepted.languages, accepted.api) == (
        WAV,
        "auto",
        ("en-US", "ru-RU"),
        "v3",
    )
    assert accepted.raw_results  # the service never normalizes `auto`
