"""Bad input over real gRPC: one clear refusal each, and the engine keeps serving."""

from __future__ import annotations

import os
from pathlib import Path

import grpc
import numpy as np
import pytest

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui.api import ServiceError
from stt_tui.engine.models import model_source
from stt_tui.engine.recognizer import WhisperRecognizer
from tests.support.audio_helpers import (
    Spec,
    clip,
    container_request,
    encode,
    lpcm_request,
    read_pcm,
    service_pcm,
)
from tests.support.engines import client_for, make_server, wait_done


@pytest.fixture(scope="module")
def good_op(client):
    """A finished job that every test asks about afterwards: the engine must still answer."""
    pcm, rate, channels = service_pcm(clip("ps_cards_001.wav").path)
    return wait_done(client, client.recognize(lpcm_request(pcm, rate, channels)).id).id


@pytest.fixture(autouse=True)
def engine_still_serves(client, good_op):
    yield
    assert client.get_operation(good_op).response is not None


def refused(client, request) -> str:
    with pytest.raises(ServiceError) as info:
        client.recognize(request)
    assert info.value.code == grpc.StatusCode.INVALID_ARGUMENT
    return str(info.value)


def file_request(path: Path, **spec) -> stt.LongRunningRecognitionRequest:
    return stt.LongRunningRecognitionRequest(
        config=stt.RecognitionConfig(
            specification=Spec(
                audio_encoding=Spec.LINEAR16_PCM, sample_rate_hertz=16000, language_code="en-US", **spec
            )
        ),
        audio=stt.RecognitionAudio(uri=path.as_uri()),
    )


def test_empty_audio(client):
    assert "audio is empty" in refused(client, lpcm_request(b"", 16000))


def test_garbage_labelled_mp3(client):
    garbage = np.random.default_rng(7).integers(0, 256, 50_000, dtype=np.uint8).tobytes()
    assert "Invalid audio received" in refused(client, container_request(garbage, Spec.MP3))


def test_opus_labelled_mp3(client):
    samples, rate = read_pcm(clip("ps_cards_001.wav").path)
    opus = encode(samples, rate, "ogg", "libopus", 48000)
    assert "Invalid audio received" in refused(client, container_request(opus, Spec.MP3))


def test_wrong_lpcm_rate(client):
    pcm, _, _ = service_pcm(clip("ps_cards_001.wav").path)
    message = refused(client, lpcm_request(pcm, 44100))
    assert "44100" in message and "8000, 16000 or 48000" in message


def test_three_channels_lpcm(client):
    assert "1 or 2 channels" in refused(client, lpcm_request(b"\0\0" * 3 * 1600, 16000, 3))


def test_three_channels_opus(client):
    samples, rate = read_pcm(clip("ps_cards_001.wav").path)
    opus = encode(np.concatenate([samples] * 3, axis=1), rate, "ogg", "libopus", 48000)
    assert "3 channels" in refused(client, container_request(opus, Spec.OGG_OPUS))


def test_wav_header_sent_as_lpcm(client):
    wav = clip("ps_cards_001.wav").path.read_bytes()
    assert "without a WAV header" in refused(client, lpcm_request(wav, 16000))


def test_unknown_language_and_model(client):
    pcm, rate, _ = service_pcm(clip("ps_cards_001.wav").path)
    assert "language_code 'xx-YY'" in refused(client, lpcm_request(pcm, rate, language="xx-YY"))
    assert "model 'turbo'" in refused(client, lpcm_request(pcm, rate, model="turbo"))


def test_language_the_model_cannot_do(short_tmp):
    """tiny.en (English only), chosen by name, refuses Russian in a sentence; the default takes it."""
    recognizer = WhisperRecognizer(*model_source("tiny.en", short_tmp))
    server = make_server(short_tmp / "data", recognizer)
    server.start()
    try:
        with client_for(server.address) as tiny:
            pcm, rate, _ = service_pcm(clip("ds_ru.wav").path)
            message = refused(tiny, lpcm_request(pcm, rate, language="ru-RU"))
            assert "tiny.en (bundled) recognizes English only" in message and "ru-RU" in message
            # The service's default language is ru-RU, so an unset language is refused the same way.
            assert "English only" in refused(tiny, lpcm_request(pcm, rate, language=""))
    finally:
        server.stop()


def test_language_code_is_case_insensitive(client):
    pcm, rate, _ = service_pcm(clip("ps_cards_001.wav").path)
    assert wait_done(client, client.recognize(lpcm_request(pcm, rate, language="EN-us")).id).response


def test_file_uri_outside_allowed_roots(client, short_tmp):
    outside = short_tmp / "speech.raw"
    outside.write_bytes(b"\0\0" * 16000)
    assert "outside the folders" in refused(client, file_request(outside))


def test_symlink_inside_root_pointing_outside(client, engine_dir, short_tmp):
    outside = short_tmp / "speech.raw"
    outside.write_bytes(b"\0\0" * 16000)
    link = engine_dir / "link.raw"
    link.symlink_to(outside)
    try:
        assert "outside the folders" in refused(client, file_request(link))
    finally:
        link.unlink()


def test_other_uri_schemes(client):
    request = file_request(Path("/x"))
    request.audio.uri = "https://storage.yandexcloud.net/bucket/key.pcm"
    assert "https URIs are not accepted" in refused(client, request)


def test_missing_and_unreadable_file_inside_root(client, engine_dir):
    assert "does not exist" in refused(client, file_request(engine_dir / "missing.raw"))
    if os.geteuid() != 0:  # root reads everything
        locked = engine_dir / "locked.raw"
        locked.write_bytes(b"\0\0" * 1600)
        locked.chmod(0)
        assert "cannot be read" in refused(client, file_request(locked))


def test_file_uri_inside_root_is_recognized(client):
    state = wait_done(client, client.recognize(file_request(clip("ps_goforward.raw").path)).id)
    assert "forward" in state.response.chunks[0].alternatives[0].text


def test_unknown_operation_id(client):
    with pytest.raises(ServiceError) as info:
        client.get_operation("e03zzzzzzzzzzzzzzzzz")
    assert info.value.code == grpc.StatusCode.NOT_FOUND
    assert "e03zzzzzzzzzzzzzzzzz" in str(info.value)


def test_audio_that_breaks_while_working_ends_as_operation_error(client):
    samples, rate = read_pcm(clip("wcpp_jfk.wav").path)
    mp3 = bytearray(encode(samples, rate, "mp3", "libmp3lame"))
    cut = len(mp3) // 3
    mp3[cut:] = np.random.default_rng(3).integers(0, 256, len(mp3) - cut, dtype=np.uint8).tobytes()
    op = client.recognize(container_request(bytes(mp3), Spec.MP3))  # its start is valid: accepted
    state = wait_done(client, op.id)
    assert state.response is None
    assert state.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "Invalid audio received" in state.error.message
