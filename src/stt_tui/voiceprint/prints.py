"""The encoder's windows over a stretch of speech, and one voice's print from stretches of its speech."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from stt_tui.voiceprint.encoder import (
    BATCH,
    MIN_FRAMES,
    N_MELS,
    RATE,
    WINDOW_FRAMES,
    WINDOW_STRIDE,
    SpeakerEncoder,
    log_mel,
    unit,
)


def window_starts(frames: int) -> list[int]:
    """Frame offsets of the encoder's windows over a stretch of `frames` frames: every WINDOW_STRIDE, and
    one flush with the end when the others leave as much unembedded there as between them; one window
    for a short stretch."""
    if frames <= WINDOW_FRAMES:
        return [0]
    starts = list(range(0, frames - WINDOW_FRAMES + 1, WINDOW_STRIDE))
    if frames - (starts[-1] + WINDOW_FRAMES) >= WINDOW_STRIDE - WINDOW_FRAMES:
        starts.append(frames - WINDOW_FRAMES)
    return starts


def stretch_windows(samples: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(frame offset, features) of each of the encoder's windows over one stretch of speech; none for a
    stretch too short to tell a voice by."""
    features = log_mel(samples)
    if len(features) < MIN_FRAMES:
        return []
    if len(features) < WINDOW_FRAMES:
        features = np.resize(features, (WINDOW_FRAMES, N_MELS))  # repeated, not padded with silence
    return [(offset, features[offset : offset + WINDOW_FRAMES]) for offset in window_starts(len(features))]


def voice_print(stretches: Iterable[np.ndarray], encoder: SpeakerEncoder) -> tuple[np.ndarray, float]:
    """The print of one voice from stretches of its speech (16 kHz samples): the unit mean of its windows'
    d-vectors, and the seconds of speech it was made of. A zero vector when nothing could be embedded."""
    inputs: list[np.ndarray] = []
    total = np.zeros(256, dtype=np.float64)
    seconds = 0.0
    for samples in stretches:
        windows = stretch_windows(samples)
        if windows:
            seconds += len(samples) / RATE
            inputs += [features for _, features in windows]
        if len(inputs) >= BATCH:
            total += encoder.embed(np.stack(inputs)).sum(axis=0)
            inputs = []
    if inputs:
        total += encoder.embed(np.stack(inputs)).sum(axis=0)
    if not total.any():
        return np.zeros(256, dtype=np.float32), 0.0
    return unit(total.astype(np.float32)), seconds
