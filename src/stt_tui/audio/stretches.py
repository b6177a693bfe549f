"""Stretches of a file's audio, decoded as mono samples at one rate: what a voice's print is made of. Only
the stretches asked for are kept, so memory holds them and not the whole recording."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from stt_tui.shared.wording import detail


class StretchError(Exception):
    """The audio could not be decoded; the message says why."""


def stretches(path: Path, spans: Sequence[tuple[float, float]], rate: int) -> list[np.ndarray]:
    """The float32 mono samples at `rate` of each (start, end) seconds of `path`, in the order given; a
    span past the end of the audio is cut there (or empty)."""
    import av

    bounds = [(max(0, int(start * rate)), max(0, int(end * rate))) for start, end in spans]
    order = sorted(range(len(bounds)), key=lambda i: bounds[i][0])
    parts: list[list[np.ndarray]] = [[] for _ in bounds]
    last = max((end for _, end in bounds), default=0)
    position, first = 0, 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise StretchError(f"{path.name} has no audio track.")
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    block = out.to_ndarray()[0]
                    end = position + len(block)
                    # Spans are walked from the first that may still overlap: sorted by start.
                    while first < len(order) and bounds[order[first]][1] <= position:
                        first += 1
                    for i in order[first:]:
                        start, stop = bounds[i]
                        if start >= end:
                            break
                        if stop > position:
                            parts[i].append(block[max(start - position, 0) : min(stop, end) - position])
                    position = end
                if position >= last:
                    break
    except av.error.FFmpegError as exc:
        raise StretchError(f"{path.name} could not be decoded{detail(str(exc))}.") from None
    return [
        np.concatenate(p).astype(np.float32) if p else np.zeros(0, dtype=np.float32) for p in parts
    ]
