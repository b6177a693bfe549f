"""Opening and decoding audio with PyAV, strictly as the declared encoding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from stt_tui.engine.validation import WAV, AcceptedSpec, Spec, check_duration
from stt_tui.shared.speechkit import MAX_AUDIO_SECONDS, MAX_CHANNELS

TARGET_RATE = 16_000  # what Whisper models take

# Declared encoding -> (demuxer, codec names that may be inside).
_CONTAINERS: dict[int, tuple[str, tuple[str, ...]]] = {
    Spec.OGG_OPUS: ("ogg", ("opus",)),
    Spec.MP3: ("mp3", ("mp3", "mp3float")),
    WAV: ("wav", ("pcm_s16le",)),  # v3 ContainerAudio.WAV: 16-bit little-endian PCM
}


class UndecodableAudio(Exception):
    """The bytes are not audio of the declared encoding (the service says "Invalid audio received")."""


class Stopped(Exception):
    """Decoding was stopped from outside (cancel or shutdown)."""


@dataclass(frozen=True)
class AudioInfo:
    channels: int
    sample_rate: int
    seconds: float | None  # per channel; None when the container does not say


def _open(path: Path, spec: AcceptedSpec) -> av.container.InputContainer:
    try:
        if spec.encoding == Spec.LINEAR16_PCM:
            layout = "mono" if spec.channels == 1 else "stereo"
            return av.open(
                str(path), format="s16le", options={"sample_rate": str(spec.sample_rate), "ch_layout": layout}
            )
        demuxer, _ = _CONTAINERS[spec.encoding]
        return av.open(str(path), format=demuxer)
    except av.error.FFmpegError as exc:
        raise UndecodableAudio(f"Invalid audio received: the data is not {spec.encoding_name}.") from exc


def _audio_stream(container: av.container.InputContainer, spec: AcceptedSpec) -> av.AudioStream:
    if not container.streams.audio:
        raise UndecodableAudio(f"Invalid audio received: no {spec.encoding_name} audio stream in the data.")
    stream = container.streams.audio[0]
    if spec.encoding in _CONTAINERS:
        codec = stream.codec_context.name
        if codec not in _CONTAINERS[spec.encoding][1]:
            raise UndecodableAudio(
                f"Invalid audio received: the stream is {codec}, not {spec.encoding_name}."
            )
    return stream


def probe(path: Path, spec: AcceptedSpec) -> AudioInfo:
    """Check that the audio opens as declared and its first packets decode; report its shape."""
    with _open(path, spec) as container:
        stream = _audio_stream(container, spec)
        try:
            for frame in container.decode(stream):
                channels = frame.layout.nb_channels
                rate = frame.sample_rate
                break
            else:
                raise UndecodableAudio(f"Invalid audio received: no {spec.encoding_name} audio in the data.")
        except av.error.FFmpegError as exc:
            raise UndecodableAudio(
                f"Invalid audio received: the data does not decode as {spec.encoding_name}."
            ) from exc
        seconds = None
        if container.duration and container.duration > 0:
            seconds = container.duration / av.time_base
        elif stream.duration and stream.time_base:
            seconds = float(stream.duration * stream.time_base)
    check_duration(seconds or 0.0, channels)
    return AudioInfo(channels=channels, sample_rate=rate, seconds=seconds)


def decode_channels(
    path: Path, spec: AcceptedSpec, should_stop: Callable[[], bool] = lambda: False
) -> list[np.ndarray]:
    """Decode to one float32 array per channel at 16 kHz."""
    with _open(path, spec) as container:
        stream = _audio_stream(container, spec)
        channels = stream.codec_context.layout.nb_channels or spec.channels or 1
        if channels > MAX_CHANNELS:
            raise UndecodableAudio(f"The audio has {channels} channels; at most {MAX_CHANNELS} are allowed.")
        resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout, rate=TARGET_RATE)
        parts: list[np.ndarray] = []
        total = 0
        limit = MAX_AUDIO_SECONDS * TARGET_RATE // channels
        try:
            for n, frame in enumerate(container.decode(stream)):
                if n % 256 == 0 and should_stop():
                    raise Stopped
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray())
                    total += out.samples
                if total > limit:
                    raise UndecodableAudio("The audio lasts over 4 h summed over its channels.")
            for out in resampler.resample(None):
                parts.append(out.to_ndarray())
        except av.error.FFmpegError as exc:
            raise UndecodableAudio(
                f"Invalid audio received: the data does not decode as {spec.encoding_name}."
            ) from exc
    if not parts:
        raise UndecodableAudio(f"Invalid audio received: no {spec.encoding_name} audio in the data.")
    data = np.concatenate(parts, axis=1).astype(np.float32, copy=False)
    return [np.ascontiguousarray(data[ch]) for ch in range(data.shape[0])]
