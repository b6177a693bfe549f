"""A loudness envelope per channel, to see where the speech is. PyAV decodes; the arithmetic is pure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from stt_tui.shared.wording import detail

RATE = 8000  # plenty to see speech; decoding at it is cheap
WINDOW = 800  # 100 ms
FLOOR_DB = -60.0


class LoudnessError(Exception):
    """The audio could not be decoded; the message says why."""


def levels(window_rms: np.ndarray, buckets: int) -> list[list[float]]:
    """Per channel, `buckets` levels from 0 (silence, -60 dBFS or less) to 1 (full scale).

    `window_rms` is (channels, windows). Each bucket shows the loudest window in it, so a short
    word in a long bucket still shows.
    """
    channels, n = window_rms.shape
    if n == 0 or buckets <= 0:
        return [[] for _ in range(channels)]
    edges = np.linspace(0, n, min(buckets, n) + 1).astype(int)
    peak = np.maximum.reduceat(window_rms, edges[:-1], axis=1)
    db = 20 * np.log10(np.maximum(peak, 1e-9))
    scaled = np.clip((db - FLOOR_DB) / -FLOOR_DB, 0.0, 1.0)
    return [[round(float(v), 3) for v in row] for row in scaled]


class WindowRms:
    """RMS of every 100 ms window, fed block by block: memory holds one partial window, not the audio."""

    def __init__(self) -> None:
        self._rest: np.ndarray | None = None  # samples of the window still being filled
        self._windows: list[np.ndarray] = []

    @property
    def pending(self) -> int:
        """Samples (per channel) kept for the window still being filled: always less than a window."""
        return 0 if self._rest is None else int(self._rest.shape[1])

    def feed(self, block: np.ndarray) -> None:
        """`block`: (channels, samples)."""
        data = block if self._rest is None else np.concatenate([self._rest, block], axis=1)
        n = data.shape[1] // WINDOW
        if n:
            framed = data[:, : n * WINDOW].reshape(data.shape[0], n, WINDOW)
            self._windows.append(np.sqrt(np.mean(np.square(framed, dtype=np.float64), axis=2)))
        self._rest = data[:, n * WINDOW :]

    def result(self) -> np.ndarray:
        """(channels, windows); a clip shorter than a window is one window."""
        if not self._windows:
            if self._rest is None or self._rest.shape[1] == 0:
                return np.zeros((1, 0))
            power = np.mean(np.square(self._rest, dtype=np.float64), axis=1, keepdims=True)
            short: np.ndarray = np.sqrt(power)
            return short
        windows: np.ndarray = np.concatenate(self._windows, axis=1)
        return windows


def window_rms(path: str | Path, should_stop: Callable[[], bool] = lambda: False) -> np.ndarray:
    """RMS of every 100 ms window, per channel: shape (channels, windows). Memory stays bounded by the
    number of windows (4 h of stereo: 1 MB), whatever the file's length."""
    import av

    rms = WindowRms()
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise LoudnessError(f"{Path(path).name} has no audio track.")
            stream = container.streams.audio[0]
            layout = "stereo" if stream.codec_context.channels >= 2 else "mono"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=RATE)
            for frame in container.decode(stream):
                if should_stop():
                    raise LoudnessError("stopped")
                for out in resampler.resample(frame):
                    rms.feed(out.to_ndarray())
            for out in resampler.resample(None):
                rms.feed(out.to_ndarray())
    except av.error.FFmpegError as exc:
        raise LoudnessError(f"{Path(path).name} could not be decoded{detail(str(exc))}.") from None
    return rms.result()


def envelope(
    path: str | Path, buckets: int = 64, should_stop: Callable[[], bool] = lambda: False
) -> list[list[float]]:
    """Levels (0..1) per channel for a file; at most 2 channels are shown, as the service takes."""
    return levels(window_rms(path, should_stop), buckets)
