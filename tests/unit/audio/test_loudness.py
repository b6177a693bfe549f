"""The loudness envelope, computed as the audio streams in: one partial window kept, never the file."""

from __future__ import annotations

import numpy as np

from stt_tui.audio.loudness import WINDOW, WindowRms


def test_the_loudness_envelope_streams():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, WINDOW * 37 + 123)).astype(np.float32)
    rms = WindowRms()
    for start in range(0, data.shape[1], 997):  # blocks that never line up with windows
        rms.feed(data[:, start : start + 997])
        assert rms.pending < WINDOW  # one partial window kept
    framed = data[:, : 37 * WINDOW].reshape(2, 37, WINDOW)
    assert np.allclose(rms.result(), np.sqrt(np.mean(np.square(framed.astype(np.float64)), axis=2)))
