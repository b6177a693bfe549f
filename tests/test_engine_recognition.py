"""Real recognition over real gRPC: the shared English speech set, two channels, Ogg Opus and MP3."""

from __future__ import annotations

import jiwer
import numpy as np
import pytest

from .audio_helpers import (
    Spec,
    clip,
    container_request,
    encode,
    lpcm_request,
    manifest,
    normalize,
    read_pcm,
    service_pcm,
    transcript,
)
from .conftest import wait_done


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
        hypotheses.append(normalize(transcript(state.response)))
    wer = jiwer.wer(references, hypotheses)
    print(f"WER over {len(clips)} clips: {wer:.3%}")
    assert wer <= 0.15


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
