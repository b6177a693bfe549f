"""Real recognition over real gRPC: the shared English speech set, two channels, Ogg Opus and MP3."""

from __future__ import annotations

import grpc
import jiwer
import numpy as np
import pytest

from stt_tui._proto.yandex.cloud.operation import operation_service_pb2 as ops
from stt_tui._proto.yandex.cloud.operation import operation_service_pb2_grpc as ops_grpc
from tests.support.audio_helpers import (
    Spec,
    clip,
    container_request,
    encode,
    lpcm_request,
    manifest,
    normalize,
    read_pcm,
    resample,
    service_pcm,
    transcript,
)
from tests.support.engines import wait_done


def recognize(client, request):
    op = client.recognize(request)
    assert not op.done and len(op.id) == 20 and op.id.isalnum() and op.id == op.id.lower()
    state = wait_done(client, op.id)
    assert state.error is None, state.error
    return state.response


@pytest.mark.slow
def test_english_speech_set_word_error_rate(client):
    clips = manifest(language="en")
    assert len(clips) >= 25
    op_ids = []
    for c in clips:
        pcm, rate, channels = service_pcm(c.path)
        op_ids.append(client.recognize(lpcm_request(pcm, rate, channels, raw_results=True)).id)
    references, hypotheses = [], []
    for c, op_id in zip(clips, op_ids, strict=True):
        state = wait_done(client, op_id)
        assert state.error is None, (c.path.name, state.error)
        references.append(normalize(c.reference))
        hypotheses.append(normalize(transcript(state.response)))  # type: ignore[arg-type]
    wer = jiwer.wer(references, hypotheses)
    print(f"WER over {len(clips)} clips: {wer:.3%}")
    assert wer <= 0.05  # the default multilingual base: about 4 % here (tiny.en: 7.2 %)


@pytest.mark.parametrize("rate", [16000, 8000])
def test_russian_is_recognized_by_the_default_model(client, rate):
    """ru-RU, the service's default language, works offline; an 8 kHz copy as a phone line gives."""
    (ru,) = [c for c in manifest(language="ru") if c.path.name == "ds_ru.wav"]
    samples, source_rate = read_pcm(ru.path)
    pcm = resample(samples, source_rate, rate).astype("<i2").tobytes()
    response = recognize(client, lpcm_request(pcm, rate, 1, language="ru-RU", raw_results=True))
    heard = normalize(transcript(response))
    cer = jiwer.cer(normalize(ru.reference), heard)
    print(f"ru-RU at {rate} Hz: {heard!r}, CER {cer:.1%}")
    assert cer <= 0.25


def test_words_carry_times_inside_the_audio(client):
    c = clip("wcpp_jfk.wav")
    pcm, rate, channels = service_pcm(c.path)
    response = recognize(client, lpcm_request(pcm, rate, channels))
    words = [w for chunk in response.chunks for w in chunk.alternatives[0].words]
    assert len(words) >= 15
    for w in words:
        start, end = w.start_time.ToTimedelta().total_seconds(), w.end_time.ToTimedelta().total_seconds()
        assert 0 <= start <= end <= c.seconds + 0.5
    starts = [w.start_time.ToNanoseconds() for w in words]
    assert starts == sorted(starts)
    assert {chunk.channel_tag for chunk in response.chunks} == {1}


def test_two_channels_are_recognized_each_on_its_own(client):
    a, b = clip("sb_spk1_snt1.wav"), clip("ds_LDC93S1.wav")
    (sa, rate), (sb, rate_b) = read_pcm(a.path), read_pcm(b.path)
    assert rate == rate_b == 16000
    gap = np.zeros((rate // 2, 1), np.int16)
    # A dialogue: channel 1 speaks, then channel 2 answers while channel 1 is silent.
    left = np.concatenate([sa, gap, np.zeros_like(sb)])
    right = np.concatenate([np.zeros_like(sa), gap, sb])
    stereo = np.concatenate([left, right], axis=1)
    response = recognize(client, lpcm_request(stereo.tobytes(), rate, 2))
    assert {c.channel_tag for c in response.chunks} == {1, 2}
    first = jiwer.wer(normalize(a.reference), normalize(transcript(response, 1)))
    second = jiwer.wer(normalize(b.reference), normalize(transcript(response, 2)))
    assert first <= 0.3 and second <= 0.3, (transcript(response, 1), transcript(response, 2))
    # In time order: channel 2's words start after channel 1's speech ends.
    tags = [c.channel_tag for c in response.chunks]
    assert tags == sorted(tags)


@pytest.mark.parametrize(
    ("encoding", "container", "codec", "out_rate"),
    [(Spec.OGG_OPUS, "ogg", "libopus", 48000), (Spec.MP3, "mp3", "libmp3lame", None)],
)
def test_compressed_inputs(client, encoding, container, codec, out_rate):
    c = clip("wcpp_jfk.wav")
    samples, rate = read_pcm(c.path)
    data = encode(samples, rate, container, codec, out_rate)
    response = recognize(client, container_request(data, encoding))
    assert jiwer.wer(normalize(c.reference), normalize(transcript(response))) <= 0.15


def test_literature_text_keeps_punctuation_and_case(client):
    c = clip("wcpp_jfk.wav")
    pcm, rate, channels = service_pcm(c.path)
    plain = transcript(recognize(client, lpcm_request(pcm, rate, channels)))
    literary = transcript(recognize(client, lpcm_request(pcm, rate, channels, literature_text=True)))
    assert plain == plain.lower() and "," not in plain and "." not in plain
    assert any(ch in literary for ch in ",.") and literary[0].isupper()
    assert normalize(plain) == normalize(literary)


def test_the_wire_answer_is_shaped_as_the_services(client, engine_server):
    """Numbers: words always spelled out, `text` with digits unless raw_results; every confidence 1;
    whole-second timestamps; created_by a 20-character account id."""
    pcm, rate, channels = service_pcm(clip("ps_cards_001.wav").path)
    op = client.recognize(lpcm_request(pcm, rate, channels))
    raw = client.recognize(lpcm_request(pcm, rate, channels, raw_results=True))
    plain, spelled = wait_done(client, op.id).response, wait_done(client, raw.id).response
    words = [w for c in plain.chunks for w in c.alternatives[0].words]
    assert words and not any(any(ch.isdigit() for ch in w.word) for w in words)
    assert any(ch.isdigit() for ch in transcript(plain))  # type: ignore[arg-type]  # "10 of clubs", as the service's text
    assert not any(ch.isdigit() for ch in transcript(spelled))  # type: ignore[arg-type]
    assert [w.word for w in words] == [w.word for c in spelled.chunks for w in c.alternatives[0].words]
    assert {w.confidence for w in words} == {1.0}
    assert {c.alternatives[0].confidence for c in plain.chunks} == {1.0}
    with grpc.insecure_channel(engine_server.address) as channel:  # the raw Operation, as any client reads it
        message = ops_grpc.OperationServiceStub(channel).Get(ops.GetOperationRequest(operation_id=op.id))
    assert message.created_at.nanos == 0 and message.modified_at.nanos == 0
    assert len(message.created_by) == 20 and message.created_by.isalnum()
    assert message.created_by.startswith("aje")


@pytest.mark.parametrize(("name", "script"), [("ds_arctic_a0024.wav", "latin"), ("ds_ru.wav", "cyrillic")])
def test_auto_detects_the_language(client, name, script):
    (c,) = [c for c in manifest(language=None) if c.path.name == name]
    pcm, rate, channels = service_pcm(c.path)
    heard = normalize(transcript(recognize(client, lpcm_request(pcm, rate, channels, language="auto"))))
    letters = [ch for ch in heard if ch.isalpha()]
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
    assert letters and (cyrillic == len(letters) if script == "cyrillic" else cyrillic == 0), heard
    assert jiwer.cer(normalize(c.reference), heard) <= 0.25, heard
