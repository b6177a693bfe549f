"""The Whisper model kept from holding memory it need not: what sets the engine's peak resident memory.

- Temperature fallback drawn one sample at a time. When a 30-second window's beam search fails
  faster-whisper's checks (a repetition loop, a low log probability), it samples the window again at rising
  temperatures, `best_of` (5) hypotheses per call, and keeps the best. CTranslate2 decodes them as one
  batch: the encoder's output and every layer's cross-attention keys and values held five times over,
  about 200 MB for the base model even when each sample is a dozen tokens. Five draws of one are the same
  five independent samples, and CTranslate2 returns a batch's hypotheses best score first, so keeping the
  best of the five is the same choice; a window that falls back takes longer, and most never do.
- The heap given back before each window is encoded: the encoder's attention (8 heads x 1500 x 1500
  floats per layer) takes ~100 MB for a moment, on top of what the last window's decoding left free
  but resident.

Peak RSS on the 93 s four-voice conversation (`python bench/speakers.py --only "four voices"`, its last
window falls back): 500 MB without labeling and 490 MB with it before, 341 and 367 MB so. What is left at
the top is the model's load (~340 MB for a moment: its float16 weights converted to int8) and labeling.
"""

from __future__ import annotations

from typing import Any

from stt_tui.engine.allocator import give_back


class FrugalWhisper:
    """Wraps a `ctranslate2.models.Whisper`; all but `encode` and sampled `generate` pass straight through."""

    def __init__(self, model: Any) -> None:
        self.inner = model  # the wrapped model, as CTranslate2 loaded it

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode(self, features: Any, *args: Any, **options: Any) -> Any:
        give_back()
        return self.inner.encode(features, *args, **options)

    def generate(self, features: Any, prompts: Any, **options: Any) -> Any:
        draws = options.get("num_hypotheses", 1)
        sampled = options.get("beam_size", 1) == 1 and options.get("sampling_topk", 1) != 1  # not greedy
        if draws <= 1 or not sampled or len(prompts) != 1 or not options.get("return_scores"):
            return self.inner.generate(features, prompts, **options)
        one = {**options, "num_hypotheses": 1}
        results = [self.inner.generate(features, prompts, **one)[0] for _ in range(draws)]
        return [max(results, key=lambda result: result.scores[0])]
