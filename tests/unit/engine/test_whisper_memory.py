"""The model's temperature fallback is drawn one sample at a time and keeps the best
(engine/whisper_memory.py); the peak memory it saves is measured by bench/speakers.py."""

from __future__ import annotations

from typing import Any

import numpy as np
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_ctranslate2_storage

from stt_tui.engine.whisper_memory import FrugalWhisper
from tests.support.audio_helpers import SPEECH, read_pcm


class Recorded:
    """The real CTranslate2 model, each `generate` call's hypotheses and results noted."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls: list[tuple[int, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def generate(self, *args: Any, **options: Any) -> Any:
        results = self.model.generate(*args, **options)
        self.calls.append((options.get("num_hypotheses", 1), results[0]))
        return results


def test_the_fallback_draws_its_samples_one_at_a_time_and_keeps_the_best_scored(recognizer):
    whisper = recognizer.whisper
    assert isinstance(whisper.model, FrugalWhisper)  # as the engine loads it
    pcm, rate = read_pcm(SPEECH / "sb_spk1_snt1.wav")
    assert rate == 16_000
    features = pad_or_trim(whisper.feature_extractor(pcm[:, 0].astype(np.float32) / 32768)[..., :-1])
    recorded = Recorded(whisper.model.inner)
    frugal = FrugalWhisper(recorded)
    encoded = frugal.encode(get_ctranslate2_storage(features[np.newaxis]))
    tokenizer = Tokenizer(whisper.hf_tokenizer, True, task="transcribe", language="en")
    prompt = [whisper.get_prompt(tokenizer, [])]
    # faster-whisper's options for a sampled fallback (transcribe.py: generate_with_fallback).
    sampled = {"beam_size": 1, "num_hypotheses": 5, "sampling_topk": 0, "sampling_temperature": 1.0,
               "return_scores": True, "return_no_speech_prob": True}  # fmt: skip
    (best,) = frugal.generate(encoded, prompt, **sampled)
    assert [n for n, _ in recorded.calls] == [1] * 5
    assert best.scores[0] == max(result.scores[0] for _, result in recorded.calls)
    assert len(best.sequences_ids) == 1 and best.sequences_ids[0]
    assert 0 <= best.no_speech_prob <= 1
    recorded.calls.clear()
    frugal.generate(encoded, prompt, beam_size=5, return_scores=True)  # the first try: a beam, untouched
    assert [n for n, _ in recorded.calls] == [1]
