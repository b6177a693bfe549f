"""Pure parts of the engine: the service's rules, text shaping, ids."""

from __future__ import annotations

import numpy as np
import pytest

from stt_tui.engine.pieces import pieces
from stt_tui.engine.store import new_operation_id
from stt_tui.engine.text import clean_word, mask_profanity, shape_text, spell_number
from stt_tui.engine.validation import (
    RequestRefused,
    Spec,
    canonical_language,
    check_duration,
    check_lpcm,
    check_size,
    check_spec,
)


def test_defaults_are_the_services():
    accepted = check_spec(Spec())
    assert accepted.encoding == Spec.OGG_OPUS
    assert accepted.language == "ru-RU"
    assert accepted.model == "general"


@pytest.mark.parametrize("code", ["en-us", "EN-US", "kk-KK", "kk-kz", "Auto", " ru-RU "])
def test_languages_case_insensitive(code):
    assert canonical_language(code) is not None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (Spec(audio_encoding=Spec.LINEAR16_PCM), "sample_rate_hertz missing"),
        (Spec(audio_encoding=Spec.LINEAR16_PCM, sample_rate_hertz=22050), "22050"),
        (Spec(audio_encoding=Spec.LINEAR16_PCM, sample_rate_hertz=8000, audio_channel_count=3), "1 or 2"),
        (Spec(audio_encoding=Spec.OGG_OPUS, audio_channel_count=2), "only to LINEAR16_PCM"),
        (Spec(language_code="en-GB"), "en-GB"),
        (Spec(model="general:latest"), "general:latest"),
        (Spec(language_code="pt-BR"), "general:rc"),
        (Spec(audio_encoding=7), "audio_encoding 7"),  # type: ignore[arg-type]
    ],
)
def test_refusals_say_what_is_wrong(spec, message):
    with pytest.raises(RequestRefused, match=message):
        check_spec(spec)


def test_models_and_deferred():
    for model in ("general", "general:rc", "deferred-general"):
        assert check_spec(Spec(model=model)).model == model
    assert check_spec(Spec(model="deferred-general")).deferred
    assert not check_spec(Spec(model="general")).deferred


def test_lpcm_size_rules():
    stereo16k = check_spec(
        Spec(audio_encoding=Spec.LINEAR16_PCM, sample_rate_hertz=16000, audio_channel_count=2)
    )
    assert check_lpcm(64000, b"\x00" * 64, stereo16k) == 1.0
    with pytest.raises(RequestRefused, match="whole number"):
        check_lpcm(64002, b"\x00" * 64, stereo16k)
    with pytest.raises(RequestRefused, match="WAV header"):
        check_lpcm(64000, b"RIFF\x00\x00\x00\x00WAVEfmt ", stereo16k)
    # 2 h 1 s of stereo is over 4 h summed over channels.
    with pytest.raises(RequestRefused, match="4 h"):
        check_lpcm(2 * 2 * 16000 * (2 * 3600 + 1), b"\x00" * 64, stereo16k)


def test_size_and_duration_limits():
    with pytest.raises(RequestRefused, match="empty"):
        check_size(0)
    with pytest.raises(RequestRefused, match="1 GB"):
        check_size(1024**3 + 1)
    check_size(1024**3)
    check_duration(4 * 3600, 1)
    with pytest.raises(RequestRefused, match="3 channels"):
        check_duration(10, 3)


def test_text_shaping():
    assert clean_word(" Americans,", literature=False) == "americans"
    assert clean_word(" Don't.", literature=True) == "Don't"
    assert clean_word(" --", literature=False) == ""
    assert mask_profanity("shit") == "s***"
    assert mask_profanity("Shit!") == "S***!"
    assert mask_profanity("shirt") == "shirt"
    assert (
        shape_text("Hello, world.", ["hello", "world"], literature=False, profanity_filter=False)
        == "hello world"
    )
    assert shape_text("Oh shit.", ["oh", "s***"], literature=True, profanity_filter=True) == "Oh s***."


def test_operation_ids_look_like_the_services():
    ids = {new_operation_id() for _ in range(1000)}
    assert len(ids) == 1000
    for op_id in ids:
        assert len(op_id) == 20 and op_id.isalnum() and op_id == op_id.lower() and op_id[0].isalpha()


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("7", "seven"),
        ("10", "ten"),
        ("42", "forty two"),
        ("100", "one hundred"),
        ("1961", "one thousand nine hundred sixty one"),
        ("2,500", "two thousand five hundred"),
        ("3000000", "three million"),
        ("7th", None),
        ("seven", None),
    ],
)
def test_spell_number(token, words):
    spelled = spell_number(token)
    assert (" ".join(spelled) if spelled else None) == words


def test_a_long_recording_is_cut_in_its_pauses_into_pieces_the_model_takes_at_once():
    rate = 100  # ten samples a frame keep the arrays small; the rule is the same at 16 kHz
    rng = np.random.default_rng(7)
    speech = rng.uniform(-0.5, 0.5, 400 * rate).astype(np.float32)
    for pause in (110, 221):  # seconds: one inside each piece's last 15 s
        speech[pause * rate : (pause + 1) * rate] = 0.0
    spans = pieces(speech, rate, piece_seconds=120, search_seconds=15)
    assert spans[0][0] == 0 and spans[-1][1] == len(speech)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # no gap, no overlap
    assert all(end - start <= 120 * rate for start, end in spans)
    assert 110 * rate < spans[0][1] < 111 * rate
    assert 221 * rate < spans[1][1] < 222 * rate
    assert len(spans) == 4  # 0-110, 110-221, 221-341 at most, the rest


def test_a_recording_that_fits_is_one_piece():
    assert pieces(np.zeros(16_000 * 120, dtype=np.float32), 16_000) == [(0, 16_000 * 120)]
    assert pieces(np.zeros(0, dtype=np.float32), 16_000) == [(0, 0)]
