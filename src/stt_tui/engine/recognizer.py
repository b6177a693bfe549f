"""Speech to words with faster-whisper (which model, and where it comes from: models.py)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stt_tui.engine.decode import TARGET_RATE
from stt_tui.engine.pieces import pieces
from stt_tui.engine.whisper_memory import FrugalWhisper

if TYPE_CHECKING:  # imported where the model is loaded: the engine starts without it when absent
    from faster_whisper import WhisperModel
from stt_tui.shared.speechkit import LANGUAGES


class ModelUnavailable(Exception):
    """The configured model cannot be loaded here; the message says why and what to do."""


@dataclass(frozen=True)
class RecognizedWord:
    start: float
    end: float
    text: str
    confidence: float


@dataclass(frozen=True)
class Utterance:
    start: float
    end: float
    text: str
    words: list[RecognizedWord]
    confidence: float
    language: str = ""  # the service's code of the language it was recognized as
    language_probability: float = 0.0


def whisper_language(code: str) -> str | None:
    """`en-US` -> `en`; `auto` -> None (let the model detect)."""
    return None if code == "auto" else code.split("-")[0].lower()


def service_language(whisper_code: str) -> str:
    """`ru` -> `ru-RU`: the service's code for a language the model detected (its own code if none)."""
    for code in LANGUAGES:
        if code != "auto" and whisper_language(code) == whisper_code:
            return code
    return whisper_code


class WhisperRecognizer:
    """One loaded Whisper model, shared by the engine's workers."""

    def __init__(self, source: str, name: str | None = None, *, cpu_threads: int | None = None) -> None:
        """`source`: a model folder or a cached model name (models.model_source resolves `--model`)."""
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ModelUnavailable(
                "faster-whisper is not installed: install stt-tui with the 'local' extra."
            ) from exc
        self.name = name or source
        threads = cpu_threads or os.cpu_count() or 1
        try:
            # local_files_only: a model name must already be in the local cache; nothing is downloaded.
            self._model = WhisperModel(
                source, device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
            )
        except Exception as exc:  # faster-whisper raises assorted errors for a missing or broken model
            if Path(source).is_dir():
                raise ModelUnavailable(f"The model at {source} could not be loaded: {exc}") from exc
            raise ModelUnavailable(
                f"The model {source!r} is neither a model folder nor in the local model cache; "
                "download it first or pass the path of a CTranslate2 Whisper model."
            ) from exc
        self._model.model = FrugalWhisper(self._model.model)  # its peak memory: whisper_memory.py
        self.languages = frozenset(self._model.supported_languages)

    @property
    def whisper(self) -> WhisperModel:
        """The faster-whisper model as loaded (its CTranslate2 model wrapped for memory: whisper_memory)."""
        return self._model

    def unsupported(self, language_code: str) -> str | None:
        """Why this model cannot recognize `language_code`, or None if it can."""
        lang = whisper_language(language_code)
        if lang is None or lang in self.languages:
            return None
        if self.languages == {"en"}:
            return (
                f"The engine's model {self.name} recognizes English only; {language_code} needs a "
                "multilingual Whisper model (start the engine with --model)."
            )
        return f"The engine's model {self.name} cannot recognize {language_code}."

    def choose_language(self, samples: np.ndarray, allowed: tuple[str, ...]) -> str | None:
        """The Whisper code of the likeliest of `allowed` (service codes) in the audio (transcribe gives it
        the first piece); None: no speech to tell by (the model then detects on its own)."""
        wanted = {whisper_language(code) for code in allowed}
        _, _, probabilities = self._model.detect_language(samples, vad_filter=True)
        ranked = [(p, lang) for lang, p in probabilities if lang in wanted]
        return max(ranked)[1] if ranked else None

    def transcribe(
        self,
        samples: np.ndarray,
        language_code: str,
        should_stop: Callable[[], bool] = lambda: False,
        allowed: tuple[str, ...] = (),
    ) -> Iterator[Utterance]:
        """Yield utterances as they are recognized, piece by piece (pieces.py); stops early when
        `should_stop()` turns true.

        `auto` detects the language, among `allowed` (service codes) when some are given; the language of
        the first piece with speech holds for the rest.
        """
        lang = whisper_language(language_code)
        if lang is None and self.languages == {"en"}:
            lang = "en"
        spans = pieces(samples, TARGET_RATE)
        if lang is None and allowed:
            first_start, first_end = spans[0]
            lang = self.choose_language(samples[first_start:first_end], allowed)
        for start, end in spans:
            offset = start / TARGET_RATE
            segments, info = self._model.transcribe(
                samples[start:end],
                language=lang,
                beam_size=5,
                word_timestamps=True,
                vad_filter=True,
                # Each window stands alone: a misrecognition cannot snowball into a repetition loop.
                condition_on_previous_text=False,
            )
            for seg in segments:
                if should_stop():
                    return
                if not seg.text.strip():
                    continue
                lang = info.language
                yield Utterance(
                    start=offset + float(seg.start),
                    end=offset + float(seg.end),
                    text=seg.text.strip(),
                    words=[
                        RecognizedWord(
                            offset + float(w.start), offset + float(w.end), w.word, float(w.probability)
                        )
                        for w in seg.words or ()
                    ],
                    confidence=float(math.exp(seg.avg_logprob)),
                    language=service_language(info.language),
                    language_probability=float(info.language_probability),
                )
