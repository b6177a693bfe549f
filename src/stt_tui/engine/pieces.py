"""Where a long recording is cut before it goes to the model (pure).

faster-whisper computes the features of everything it is given at once (in double precision: about 35 MB
per minute of speech, 2 GB for an hour) and its voice detector batches the whole audio too, so the engine
hands it pieces of at most two minutes. Each cut falls at the quietest tenth of a second near the piece's
end, in a pause rather than inside a word; Whisper reads 30-second windows independently anyway
(recognizer.py turns off conditioning on the previous text).
"""

from __future__ import annotations

import numpy as np

PIECE_SECONDS = 120.0
SEARCH_SECONDS = 15.0  # the last stretch of a piece searched for its quietest point
FRAME_SECONDS = 0.1


def pieces(
    samples: np.ndarray,
    rate: int,
    piece_seconds: float = PIECE_SECONDS,
    search_seconds: float = SEARCH_SECONDS,
) -> list[tuple[int, int]]:
    """The (start, end) sample spans, in order and without gaps, each at most `piece_seconds` long."""
    size = int(piece_seconds * rate)
    frame = max(int(FRAME_SECONDS * rate), 1)
    search = min(max(int(search_seconds * rate), frame), size)
    spans = []
    start = 0
    while len(samples) - start > size:
        low = start + size - search
        region = samples[low : start + size]
        frames = len(region) // frame
        energy = np.square(region[: frames * frame].reshape(frames, frame), dtype=np.float64).mean(axis=1)
        cut = low + int(np.argmin(energy)) * frame + frame // 2
        spans.append((start, cut))
        start = cut
    spans.append((start, len(samples)))
    return spans
