"""Who spoke when, in mono audio: speech found, embedded (stt_tui.voiceprint), clustered, and the words told
apart by voice. Speech is found by the Silero VAD that faster-whisper brings. The number of voices is not
given: clusters merge while their voices are alike (`cluster`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stt_tui.engine.decode import TARGET_RATE, Stopped
from stt_tui.engine.pieces import pieces
from stt_tui.engine.recognizer import Utterance
from stt_tui.shared.speechkit import LOCAL_MAX_SPEAKERS
from stt_tui.voiceprint.encoder import BATCH, FRAME_SECONDS, WINDOW_FRAMES, SpeakerEncoder, unit
from stt_tui.voiceprint.prints import stretch_windows

MAX_SPEAKERS = LOCAL_MAX_SPEAKERS  # the engine's own limit

# Clustering: segments of two windows (2 s); voices whose segments' mean cosine similarity stays above
# SAME_VOICE are one voice. A cluster with less speech than MIN_VOICE_SECONDS is folded into the nearest.
SEGMENT_WINDOWS = 2
SAME_VOICE = 0.5
MIN_VOICE_SECONDS = 2.0
MAX_CLUSTERED = 600  # segments clustered at once; the rest join the nearest voice


@dataclass(frozen=True)
class Window:
    """One input of the encoder: WINDOW_FRAMES frames of features from `start` seconds on."""

    start: float
    end: float
    span: int  # which stretch of speech it lies in


def segments(windows: Sequence[Window]) -> list[list[int]]:
    """Indices of the windows making each segment: SEGMENT_WINDOWS neighbours in one stretch of speech,
    overlapping by one; a shorter stretch is one segment."""
    by_span: dict[int, list[int]] = {}
    for i, w in enumerate(windows):
        by_span.setdefault(w.span, []).append(i)
    out = []
    step = SEGMENT_WINDOWS - 1
    for members in by_span.values():
        if len(members) <= SEGMENT_WINDOWS:
            out.append(members)
            continue
        for first in range(0, len(members) - 1, step):
            group = members[first : first + SEGMENT_WINDOWS]
            if len(group) < SEGMENT_WINDOWS and out and out[-1][-1] == group[-1] - len(group) + 1:
                group = members[-SEGMENT_WINDOWS:]  # a short tail is a full segment overlapping more
            out.append(group)
            if group[-1] == members[-1]:
                break
    return out


def cluster(
    embeddings: np.ndarray, weights: np.ndarray, max_speakers: int, same_voice: float = SAME_VOICE,
    min_weight: float = MIN_VOICE_SECONDS,
) -> np.ndarray:  # fmt: skip
    """A voice number per embedding (unit rows), the voices estimated: average-linkage clustering of
    cosine similarities, merging while two clusters are alike (> `same_voice`) or there are more than
    `max_speakers`; a cluster weighing less than `min_weight` (seconds of speech) joins the one most like
    it, unless it is alone. Numbers from 0, in no particular order."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    similarity = (embeddings @ embeddings.T).astype(np.float64)
    np.fill_diagonal(similarity, -np.inf)
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: list[list[int]] = [[i] for i in range(n)]
    mass = np.asarray(weights, dtype=np.float64).copy()
    count = n
    while count > 1:
        # Merged-away rows and columns hold -inf, so the best pair is among the live clusters.
        a, b = divmod(int(np.argmax(similarity)), n)
        best = similarity[a, b]
        light = [int(i) for i in np.flatnonzero(alive) if mass[i] < min_weight]
        if best <= same_voice and count <= max_speakers and not light:
            break
        if best <= same_voice and count <= max_speakers:
            # Too little speech to be a voice: the lightest cluster joins the one most like it.
            a = min(light, key=lambda i: mass[i])
            row = np.where(alive, similarity[a], -np.inf)
            b = int(np.argmax(row))
        # Average linkage (Lance-Williams): the merged row is the size-weighted mean of the two.
        merged = (similarity[a] * sizes[a] + similarity[b] * sizes[b]) / (sizes[a] + sizes[b])
        similarity[a, :] = merged
        similarity[:, a] = merged
        similarity[a, a] = -np.inf
        sizes[a] += sizes[b]
        mass[a] += mass[b]
        members[a] += members[b]
        alive[b] = False
        similarity[b, :] = -np.inf
        similarity[:, b] = -np.inf
        count -= 1
    labels = np.zeros(n, dtype=np.int64)
    for number, i in enumerate(np.flatnonzero(alive)):
        labels[members[i]] = number
    return labels


def centroids(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The unit mean of each voice's embeddings, row k for voice k."""
    return unit(np.stack([embeddings[labels == k].mean(axis=0) for k in range(int(labels.max()) + 1)]))


def nearest(embeddings: np.ndarray, voices: np.ndarray) -> np.ndarray:
    """The voice most like each embedding."""
    return np.asarray(np.argmax(embeddings @ voices.T, axis=1), dtype=np.int64)


def word_voices(
    words: Sequence[tuple[float, float]], windows: Sequence[Window], scores: np.ndarray
) -> list[int]:
    """The voice of each (start, end) word: the one whose score summed over the windows it overlaps
    (weighted by the overlap) is highest; a word no window overlaps takes the nearest window's voice."""
    if not windows:
        return [0] * len(words)
    starts = np.array([w.start for w in windows])
    ends = np.array([w.end for w in windows])
    mids = (starts + ends) / 2
    out = []
    for start, end in words:
        overlap = np.clip(np.minimum(ends, end) - np.maximum(starts, start), 0.0, None)
        if overlap.sum() > 0:
            out.append(int(np.argmax(overlap @ scores)))
        else:
            out.append(int(np.argmax(scores[int(np.argmin(np.abs(mids - (start + end) / 2)))])))
    return out


def steady(voices: Sequence[int], durations: Sequence[float], min_seconds: float = 0.5) -> list[int]:
    """Voices with brief flips smoothed out: a run of words shorter than `min_seconds` between two runs of
    one other voice, or at either end beside a longer run, takes its neighbour's voice."""
    out = list(voices)
    changed = True
    while changed:
        changed = False
        runs: list[tuple[int, int]] = []  # (first, last + 1) of each run of one voice
        for i in range(len(out)):
            if runs and out[runs[-1][0]] == out[i]:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        if len(runs) < 2:
            break
        for r, (first, last) in enumerate(runs):
            if sum(durations[first:last]) >= min_seconds:
                continue
            before = out[runs[r - 1][0]] if r > 0 else None
            after = out[runs[r + 1][0]] if r + 1 < len(runs) else None
            if before is not None and after is not None and before != after:
                continue
            if before is None or after is None:
                beside = runs[r + 1] if before is None else runs[r - 1]
                if sum(durations[beside[0] : beside[1]]) < min_seconds:
                    continue
            neighbour = before if before is not None else after
            assert neighbour is not None
            out[first:last] = [neighbour] * (last - first)
            changed = True
            break
    return out


def split_by_voice(utt: Utterance, voices: Sequence[int]) -> list[tuple[int, Utterance]]:
    """The utterance cut at the word boundaries where the voice changes: (voice, phrase) in order."""
    if not utt.words:
        return [(voices[0] if voices else 0, utt)]
    out: list[tuple[int, Utterance]] = []
    first = 0
    for i in range(1, len(utt.words) + 1):
        if i < len(utt.words) and voices[i] == voices[first]:
            continue
        words = utt.words[first:i]
        whole = first == 0 and i == len(utt.words)
        text = utt.text if whole else "".join(w.text for w in words).strip()
        phrase = (
            utt
            if whole
            else dataclasses.replace(
                utt, start=words[0].start, end=words[-1].end, text=text, words=list(words)
            )
        )
        out.append((voices[first], phrase))
        first = i
    return out


def in_order_of_speaking(timed: Sequence[tuple[int, Utterance]]) -> list[tuple[int, Utterance]]:
    """Voices renumbered by when each first speaks: the first to speak is 0 (channel_tag "0")."""
    numbers: dict[int, int] = {}
    for voice, _ in sorted(timed, key=lambda t: t[1].start):
        numbers.setdefault(voice, len(numbers))
    return [(numbers[voice], utt) for voice, utt in timed]


# --- the model and the pipeline -------------------------------------------------------------------


def speech_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of speech, by Silero VAD, a piece of the recording at a time (pieces.py)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    # Short pauses split speech, so two voices a breath apart fall in two stretches.
    options = VadOptions(min_silence_duration_ms=150, speech_pad_ms=30, min_speech_duration_ms=100)
    spans = []
    for first, last in pieces(samples, TARGET_RATE):
        for found in get_speech_timestamps(samples[first:last], options, TARGET_RATE):
            spans.append(((first + found["start"]) / TARGET_RATE, (first + found["end"]) / TARGET_RATE))
    return spans


def voice_windows(
    samples: np.ndarray,
    spans: Sequence[tuple[float, float]],
    encoder: SpeakerEncoder,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[list[Window], np.ndarray]:
    """The encoder's windows over the stretches of speech, and their d-vectors: embedded a batch at a
    time across stretches (the LSTM is several times faster per window in a batch, and the features of
    hours of speech are never all held at once)."""
    windows: list[Window] = []
    inputs: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    for number, (start, end) in enumerate(spans):
        if should_stop():
            raise Stopped
        first = int(start * TARGET_RATE)
        for offset, features in stretch_windows(samples[first : int(end * TARGET_RATE)]):
            inputs.append(features)
            begin = start + offset * FRAME_SECONDS
            windows.append(Window(begin, min(begin + WINDOW_FRAMES * FRAME_SECONDS, end), number))
        if len(inputs) >= BATCH:
            vectors.append(encoder.embed(np.stack(inputs)))
            inputs = []
    if inputs:
        vectors.append(encoder.embed(np.stack(inputs)))
    return windows, (np.concatenate(vectors) if vectors else np.zeros((0, 256), dtype=np.float32))


def voices_of(windows: Sequence[Window], vectors: np.ndarray, max_speakers: int) -> np.ndarray:
    """(windows, voices) scores: each window's similarity to each voice found. Pure."""
    groups = segments(windows)
    if not groups:
        return np.zeros((len(windows), 1), dtype=np.float32)
    seg = unit(np.stack([vectors[g].mean(axis=0) for g in groups]))
    seconds = np.array([windows[g[-1]].end - windows[g[0]].start for g in groups])
    # Long recordings: cluster an even sample of the segments; the others join the nearest voice.
    pick = np.linspace(0, len(groups) - 1, min(len(groups), MAX_CLUSTERED)).round().astype(int)
    labels = cluster(seg[pick], seconds[pick] * len(groups) / len(pick), max_speakers)
    voices = centroids(seg[pick], labels)
    # One refinement: every segment to its nearest voice, the voices again from all of them.
    labels = nearest(seg, voices)
    present = np.unique(labels)
    voices = centroids(seg, np.searchsorted(present, labels))
    # A window's voice is judged with its neighbours: the segments it is part of.
    scores = np.zeros((len(windows), len(voices)), dtype=np.float32)
    hits = np.zeros(len(windows), dtype=np.float32)
    for g, vector in zip(groups, seg @ voices.T, strict=True):
        scores[g] += vector
        hits[g] += 1
    return np.asarray(scores / np.maximum(hits, 1)[:, None], dtype=np.float32)


def label_speakers(
    samples: np.ndarray,
    utterances: Sequence[Utterance],
    encoder: SpeakerEncoder,
    max_speakers: int,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[tuple[int, Utterance]]:
    """The utterances of mono audio as (speaker from 0, phrase), each phrase of one voice, in time order;
    raises Stopped when `should_stop()` turns true."""
    windows, vectors = voice_windows(samples, speech_spans(samples), encoder, should_stop)
    scores = voices_of(windows, vectors, max_speakers)
    timed: list[tuple[int, Utterance]] = []
    for utt in utterances:
        spans = [(w.start, w.end) for w in utt.words] or [(utt.start, utt.end)]
        voices = steady(word_voices(spans, windows, scores), [e - s for s, e in spans])
        timed += split_by_voice(utt, voices)
    return in_order_of_speaking(timed)
