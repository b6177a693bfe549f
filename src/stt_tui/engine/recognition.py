"""One job from audio file to LongRunningRecognitionResponse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from google.protobuf.duration_pb2 import Duration

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt

from .decode import Stopped, decode_channels
from .recognizer import RecognizedWord, Utterance, WhisperRecognizer
from .text import clean_word, mask_profanity, shape_text, spell_number
from .validation import AcceptedSpec


def _duration(seconds: float) -> Duration:
    d = Duration()
    d.FromNanoseconds(round(max(seconds, 0.0) * 1e9))
    return d


# The service answers 1 for every confidence ("not supported"); the model's own probability stays inside.
CONFIDENCE = 1.0


def _tokens(w: RecognizedWord, spec: AcceptedSpec) -> tuple[list[str], list[RecognizedWord]]:
    """A recognized word as the request wants it, cleaned and masked: (its tokens in `text`, its words).

    As the service does, `words[].word` always spells a number out; `raw_results` decides only whether
    `text` has the digits or the words.
    """
    token = clean_word(w.text, spec.literature_text)
    if not token:
        return [], []
    if spec.profanity_filter:
        token = mask_profanity(token)
    spelled = spell_number(token) if spec.language in ("en-US", "auto") else None
    if not spelled:
        return [token], [RecognizedWord(w.start, w.end, token, CONFIDENCE)]
    # The number's words share its time span evenly.
    step = (w.end - w.start) / len(spelled)
    words = [
        RecognizedWord(w.start + i * step, w.start + (i + 1) * step, word, CONFIDENCE)
        for i, word in enumerate(spelled)
    ]
    return (spelled if spec.raw_results else [token]), words


def to_chunk(utt: Utterance, channel_tag: int, spec: AcceptedSpec) -> stt.SpeechRecognitionResult:
    """One utterance as a result chunk, its words shaped as the request asked."""
    text_tokens: list[str] = []
    words: list[stt.WordInfo] = []
    for w in utt.words:
        shown, spoken = _tokens(w, spec)
        text_tokens += shown
        words += [
            stt.WordInfo(start_time=_duration(t.start), end_time=_duration(t.end), word=t.text,
                         confidence=t.confidence)
            for t in spoken
        ]  # fmt: skip
    text = shape_text(
        utt.text, text_tokens, literature=spec.literature_text, profanity_filter=spec.profanity_filter
    )
    alternative = stt.SpeechRecognitionAlternative(text=text, confidence=CONFIDENCE, words=words)
    return stt.SpeechRecognitionResult(alternatives=[alternative], channel_tag=channel_tag)


def recognize_file(
    path: Path,
    spec: AcceptedSpec,
    recognizer: WhisperRecognizer,
    should_stop: Callable[[], bool] = lambda: False,
) -> stt.LongRunningRecognitionResponse:
    """Decode, recognize each channel on its own, and merge the chunks in time order."""
    channels: list[np.ndarray | None] = list(decode_channels(path, spec, should_stop))
    timed: list[tuple[float, int, stt.SpeechRecognitionResult]] = []
    for index in range(len(channels)):
        samples, channels[index] = channels[index], None  # free each channel once it is done
        assert samples is not None
        tag = index + 1
        for utt in recognizer.transcribe(samples, spec.language, should_stop):
            chunk = to_chunk(utt, tag, spec)
            if chunk.alternatives[0].text:
                timed.append((utt.start, tag, chunk))
        if should_stop():
            raise Stopped
    timed.sort(key=lambda t: (t[0], t[1]))
    return stt.LongRunningRecognitionResponse(chunks=[c for _, _, c in timed])
