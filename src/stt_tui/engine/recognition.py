"""One job from audio file to its result: a LongRunningRecognitionResponse (v2) or the events of the v3
result stream, gathered in a StreamingResponseList."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
from google.protobuf.duration_pb2 import Duration

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.engine.decode import Stopped, decode_channels
from stt_tui.engine.recognizer import RecognizedWord, Utterance, WhisperRecognizer
from stt_tui.engine.speakers import label_speakers
from stt_tui.engine.text import clean_word, mask_profanity, shape_text, spell_number
from stt_tui.engine.validation import AcceptedSpec
from stt_tui.voiceprint.encoder import SpeakerEncoder


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


def recognized(
    path: Path,
    spec: AcceptedSpec,
    recognizer: WhisperRecognizer,
    should_stop: Callable[[], bool] = lambda: False,
    speakers: SpeakerEncoder | None = None,
    max_speakers: int = 0,
) -> list[tuple[int, Utterance]]:
    """Decode, recognize each channel on its own: (channel index from 0, utterance) in time order.

    With speaker labeling asked for (and `speakers` given) mono audio's phrases are cut where the voice
    changes and the index is the speaker's; on more channels the channels stay the speakers.
    """
    channels: list[np.ndarray | None] = list(decode_channels(path, spec, should_stop))
    timed: list[tuple[int, Utterance]] = []
    for index in range(len(channels)):
        samples, channels[index] = channels[index], None  # free each channel once it is done
        assert samples is not None
        utterances = list(recognizer.transcribe(samples, spec.language, should_stop, spec.languages))
        if should_stop():
            raise Stopped
        if spec.speaker_labeling and speakers is not None and len(channels) == 1:
            timed += label_speakers(samples, utterances, speakers, max_speakers, should_stop)
        else:
            timed += [(index, utt) for utt in utterances]
    timed.sort(key=lambda t: (t[1].start, t[0]))
    return timed


def recognize_file(
    path: Path,
    spec: AcceptedSpec,
    recognizer: WhisperRecognizer,
    should_stop: Callable[[], bool] = lambda: False,
) -> stt.LongRunningRecognitionResponse:
    """API v2: the chunks of every channel (tags from 1) merged in time order."""
    chunks = []
    for index, utt in recognized(path, spec, recognizer, should_stop):
        chunk = to_chunk(utt, index + 1, spec)
        if chunk.alternatives[0].text:
            chunks.append(chunk)
    return stt.LongRunningRecognitionResponse(chunks=chunks)


def _ms(d: Duration) -> int:
    return round(d.ToNanoseconds() / 1e6)


def _alternative(utt: Utterance, spec: AcceptedSpec) -> v3.Alternative:
    chunk = to_chunk(utt, 0, spec).alternatives[0]
    words = [
        v3.Word(text=w.word, start_time_ms=_ms(w.start_time), end_time_ms=_ms(w.end_time))
        for w in chunk.words
    ]
    languages = []
    if utt.language:
        languages = [v3.LanguageEstimation(language_code=utt.language, probability=utt.language_probability)]
    return v3.Alternative(
        words=words,
        text=chunk.text,
        start_time_ms=round(utt.start * 1000),
        end_time_ms=round(utt.end * 1000),
        languages=languages,
    )


def stream_events(
    timed: list[tuple[int, Utterance]], spec: AcceptedSpec, operation_id: str
) -> v3.StreamingResponseList:
    """API v3: per utterance and channel, as the service sends them: `final` (raw text), its
    `final_refinement` (the normalized text, or the raw one again when nothing is normalized), then
    `eou_update`; channel tags from "0"."""
    session = v3.SessionUuid(uuid=str(uuid.uuid4()), user_request_id=operation_id)
    raw = dataclasses.replace(spec, raw_results=True)
    finals: dict[int, int] = {}
    events = []
    for index, utt in timed:
        tag = str(index)
        final = _alternative(utt, raw)
        if not final.text:
            continue
        n = finals.get(index, -1) + 1
        finals[index] = n
        cursors = v3.AudioCursors(
            final_time_ms=final.end_time_ms, final_index=n, eou_time_ms=final.end_time_ms,
            partial_time_ms=final.end_time_ms, received_data_ms=final.end_time_ms,
        )  # fmt: skip
        refined = v3.AlternativeUpdate(alternatives=[_alternative(utt, spec)], channel_tag=tag)
        for event in (
            v3.StreamingResponse(final=v3.AlternativeUpdate(alternatives=[final], channel_tag=tag)),
            v3.StreamingResponse(
                final_refinement=v3.FinalRefinement(
                    final_index=n,
                    normalized_text=refined,
                )
            ),
            v3.StreamingResponse(eou_update=v3.EouUpdate(time_ms=final.end_time_ms)),
        ):
            # Each message repeats the session, the cursors and the channel, as the service's do.
            event.session_uuid.CopyFrom(session)
            event.audio_cursors.CopyFrom(cursors)
            event.channel_tag = tag
            events.append(event)
    return v3.StreamingResponseList(streaming_responses=events)
