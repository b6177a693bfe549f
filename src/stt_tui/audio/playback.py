"""Hearing a transcript's audio: the original file decoded with PyAV from a time on, and played through
the sound system with PyAV too (FFmpeg's ALSA output, which desktops route to PulseAudio or PipeWire).
Where there is no output (a server, an SSH session) that is one sentence, not a failure."""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from pathlib import Path

import av
from av.audio.frame import AudioFrame

DEVICE_ENV = "STT_TUI_AUDIO_DEVICE"  # an ALSA device name; "default" unless set


class PlaybackError(Exception):
    """The audio cannot be played here; one sentence."""


def device() -> str:
    return os.environ.get(DEVICE_ENV) or "default"


def play(
    path: Path,
    start: float,
    stop: threading.Event,
    position: Callable[[float], None] = lambda seconds: None,
) -> None:
    """Play `path` from `start` seconds until its end or until `stop` is set; `position(seconds)` is told
    where the playing has got to, about every block written. PlaybackError says why it cannot."""
    try:
        source = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise PlaybackError(f"{path.name} cannot be read to play it: {exc}.") from None
    with source:
        if not source.streams.audio:
            raise PlaybackError(f"{path.name} holds no audio to play.")
        stream = source.streams.audio[0]
        rate = stream.codec_context.sample_rate or 16000
        layout = "stereo" if (stream.codec_context.channels or 1) > 1 else "mono"
        _quiet_alsa()
        try:
            # The device is opened by the first block written: an output that is missing fails there.
            out = av.open(device(), mode="w", format="alsa")
            try:
                _copy(source, stream, out, rate, layout, start, stop, position)
            finally:
                out.close()
        except (av.FFmpegError, OSError) as exc:
            raise PlaybackError(
                f"There is no audio output here ({_why(exc)}); the transcript can still be read and exported."
            ) from None


_ALSA_SILENCED: list[object] = []  # the handler, kept alive while the library may call it


def _quiet_alsa() -> None:
    """ALSA writes its own complaints to the terminal (over the UI); its errors are said here instead, in a
    sentence. The library is the copy PyAV carries, so its handler is set there."""
    if _ALSA_SILENCED:
        return
    libs = sorted((Path(av.__file__).parent.parent / "av.libs").glob("libasound*.so*"))
    if not libs:
        _ALSA_SILENCED.append(None)
        return
    try:
        library = ctypes.CDLL(str(libs[0]))
        handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                        ctypes.c_char_p)  # fmt: skip
        handler = handler_type(lambda *args: None)
        library.snd_lib_error_set_handler(handler)
    except (OSError, AttributeError):
        handler = None
    _ALSA_SILENCED.append(handler)


def _why(exc: Exception) -> str:
    if os.environ.get("SSH_CONNECTION"):
        return "an SSH session, and no sound device on this machine answers"
    # The device's own error ("[Errno 5] Input/output error: 'default'") says nothing more to a person.
    return f"no sound device answers as '{device()}'"


def _copy(
    source: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    out: av.container.OutputContainer,
    rate: int,
    layout: str,
    start: float,
    stop: threading.Event,
    position: Callable[[float], None],
) -> None:
    """Decode from `start`, cut to the first sample at or after it, and write s16 blocks to `out`."""
    channels = 2 if layout == "stereo" else 1
    sink = out.add_stream("pcm_s16le", rate=rate, layout=layout)
    resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)  # the rate stays: samples map 1:1
    if start > 0 and stream.time_base:
        source.seek(int(start / stream.time_base), stream=stream, backward=True)
    first = round(start * rate)  # the sample to start at
    written = 0  # samples written, from `first` on
    for decoded in source.decode(stream):
        if stop.is_set():
            return
        known = decoded.pts is not None and decoded.time_base is not None
        at = round(float(decoded.pts * decoded.time_base) * rate) if known else first  # type: ignore[operator]
        skip = max(first - at, 0)
        for frame in resampler.resample(decoded):
            samples = frame.to_ndarray()  # packed: one row of samples × channels
            if skip >= frame.samples:
                skip -= frame.samples
                continue
            if skip:
                samples = samples[:, skip * channels :]
                skip = 0
            block = AudioFrame.from_ndarray(samples, format="s16", layout=layout)
            block.sample_rate = rate
            for packet in sink.encode(block):
                out.mux(packet)
            written += block.samples
            position(start + written / rate)
    for packet in sink.encode(None):
        out.mux(packet)
