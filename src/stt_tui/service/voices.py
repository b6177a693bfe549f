"""Voices remembered across recordings. When a person names a speaker, the history keeps the print of
that speaker's speech in the job (stt_tui.voiceprint; never the audio); when a later job's speakers are
labeled (by the engine or the cloud) and its audio is at hand, a speaker whose print is close enough to a
named voice's shows that name, marked as recognized by voice. No name is better than a wrong one: a
speaker takes a voice's name only above SAME_VOICE and well ahead of any other voice.

The encoder comes with the `local` extra; without it (a cloud-only install) nothing is remembered and
nothing is said about it.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from stt_tui.history import History
from stt_tui.history.voices import Taught, Voice
from stt_tui.jobs.model import Job
from stt_tui.outputs.export import ExportError, Utterance, utterances
from stt_tui.service.errors import UserError
from stt_tui.shared.speechkit import V3

# numpy and the encoder are imported where a print is made or compared: every command that opens the
# service (a `jobs`, a completion) would pay for them otherwise.
if TYPE_CHECKING:
    import numpy as np

    from stt_tui.voiceprint.encoder import SpeakerEncoder

log = logging.getLogger(__name__)

# Cosine similarity of a speaker's print to the voice it was named as in another recording, measured by
# bench/speakers.py's naming part: 0.81-0.97; to the nearest other named voice, and for voices never
# named: 0.42-0.72 (prints average many windows, so two voices come closer than the 0.31 of two single
# utterances). A speaker is named by voice above SAME_VOICE, between the two but nearer the first (a
# wrong name is worse than none), and only if no other voice comes within MARGIN of it.
SAME_VOICE = 0.78
MARGIN = 0.1
# A print is made of a speaker's longest phrases, up to PRINT_SECONDS of speech: more adds little and
# costs time. A speaker with less than MIN_SECONDS is neither remembered nor recognized.
PRINT_SECONDS = 60.0
MIN_SECONDS = 3.0


@dataclass(frozen=True)
class Match:
    channel: int
    voice_id: int
    similarity: float


@cache
def _encoder() -> SpeakerEncoder | None:
    """The encoder, or None without the `local` extra (onnxruntime and the model's package)."""
    from stt_tui.voiceprint.encoder import EncoderUnavailable, SpeakerEncoder

    if importlib.util.find_spec("onnxruntime") is None:
        return None
    encoder = SpeakerEncoder()
    try:
        encoder.check()
    except EncoderUnavailable:
        return None
    return encoder


def voices_of(taught: list[Taught]) -> dict[int, tuple[str, np.ndarray]]:
    """Each named voice's print: the mean of the prints its jobs taught, weighted by their speech. Pure."""
    import numpy as np

    from stt_tui.voiceprint.encoder import unit

    sums: dict[int, tuple[str, np.ndarray]] = {}
    for t in taught:
        vector = np.frombuffer(t.print, dtype=np.float32) * t.seconds
        name, total = sums.get(t.voice_id, (t.name, np.zeros(len(vector), dtype=np.float32)))
        sums[t.voice_id] = (name, total + vector)
    return {voice: (name, unit(total)) for voice, (name, total) in sums.items()}


def matches(
    prints: dict[int, np.ndarray], voices: dict[int, np.ndarray], same_voice: float = SAME_VOICE,
    margin: float = MARGIN,
) -> list[Match]:  # fmt: skip
    """Speakers (by number) recognized as voices (by id), each voice at most one speaker: a speaker's
    best voice if it is above `same_voice` and ahead of the speaker's next best by `margin`, and no other
    speaker is closer to that voice. Pure."""
    import numpy as np

    found: list[Match] = []
    ids = list(voices)
    if not ids:
        return found
    table = np.stack([voices[i] for i in ids])
    candidates = []
    for channel, vector in prints.items():
        scores = table @ vector
        best = int(np.argmax(scores))
        runner_up = float(np.partition(scores, -2)[-2]) if len(scores) > 1 else -1.0
        if scores[best] >= same_voice and scores[best] - runner_up >= margin:
            candidates.append(Match(channel, ids[best], float(scores[best])))
    taken: set[int] = set()
    for m in sorted(candidates, key=lambda m: -m.similarity):
        if m.voice_id not in taken:
            taken.add(m.voice_id)
            found.append(m)
    return sorted(found, key=lambda m: m.channel)


def speech_of(items: list[Utterance]) -> dict[int, list[tuple[float, float]]]:
    """Each labeled speaker's longest phrases, up to PRINT_SECONDS of them, in time order. Pure."""
    by_speaker: dict[int, list[tuple[float, float]]] = {}
    for u in sorted((u for u in items if u.speaker), key=lambda u: u.start - u.end):
        spans = by_speaker.setdefault(u.channel, [])
        if sum(e - s for s, e in spans) < PRINT_SECONDS:
            spans.append((u.start, u.end))
    return {channel: sorted(spans) for channel, spans in by_speaker.items()}


class Voices:
    """The use cases of remembered voices over one history."""

    def __init__(
        self, history: History, audio_of: Callable[[Job], Path], enabled: bool = True,
        encoder: Callable[[], SpeakerEncoder | None] = _encoder,
    ) -> None:  # fmt: skip
        self.history = history
        self.audio_of = audio_of  # the job's own audio, checked by content; UserError when not at hand
        self.enabled = enabled
        self._encoder = encoder

    def prints(self, job: Job, items: list[Utterance]) -> dict[int, tuple[np.ndarray, float]]:
        """The print of each labeled speaker of the job with enough speech, from its audio; none when
        the audio is not at hand or the encoder is not installed."""
        from stt_tui.audio.stretches import StretchError, stretches
        from stt_tui.voiceprint.encoder import RATE
        from stt_tui.voiceprint.prints import voice_print

        encoder = self._encoder()
        speech = speech_of(items)
        if encoder is None or not speech:
            return {}
        try:
            path = self.audio_of(job)
        except UserError:
            return {}
        channels = list(speech)
        spans = [span for channel in channels for span in speech[channel]]
        try:
            samples = stretches(path, spans, RATE)
        except StretchError as exc:
            log.info("job #%s: no voices from its audio: %s", job.id, exc)
            return {}
        out = {}
        at = 0
        for channel in channels:
            count = len(speech[channel])
            vector, seconds = voice_print(samples[at : at + count], encoder)
            at += count
            if seconds >= MIN_SECONDS:
                out[channel] = (vector, seconds)
        return out

    def named(self, job: Job, channel: int, name: str, items: list[Utterance]) -> None:
        """A person called speaker `channel` of the job `name` ("": no name): the voice is remembered by its
        print there, computed from the audio, or the print it had under its former name."""
        if not any(u.channel == channel and u.speaker for u in items):
            return  # channels of stereo audio are not voices told apart
        former = self.history.unteach(job.id, channel)
        if not name or not self.enabled:
            return
        found = self.prints(job, [u for u in items if u.channel == channel]).get(channel)
        if found is not None:
            self.history.teach(job.id, channel, name, found[0].tobytes(), found[1])
        elif former is not None:  # the audio is gone: the print the speaker had stays, renamed
            self.history.teach(job.id, channel, name, *former)

    def recognize(self, job: Job) -> list[Match]:
        """A job with labeled speakers has just come to its end: its speakers whose voices were named in
        other jobs are recognized (kept in the history, shown with the name marked as by voice)."""
        if not (self.enabled and job.has_transcript and job.api == V3 and job.options.speaker_labeling):
            return []
        taught = self.history.taught(except_job=job.id)
        if not taught:
            return []  # nothing named yet: the audio is not even read
        result = self.history.result(job.id)
        if result is None:
            return []
        try:
            items = utterances(result.document(), True)
        except ExportError:
            return []
        named = self.history.edits(job.id).names
        prints = {
            channel: vector
            for channel, (vector, _) in self.prints(job, items).items()
            if channel not in named
        }
        voices = {voice: vector for voice, (_, vector) in voices_of(taught).items()}
        found = matches(prints, voices)
        self.history.recognized(job.id, [(m.channel, m.voice_id, m.similarity) for m in found])
        return found

    def voices(self) -> list[Voice]:
        return self.history.voices()

    def forget(self, name: str) -> None:
        """The voice `name` is forgotten: its prints and the speakers recognized by it."""
        if not self.history.forget_voice(name):
            raise UserError(f"No voice is called {name!r}; `stt-tui voices` lists them.")
