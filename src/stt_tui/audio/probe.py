"""Probing audio files and checking them against what the service takes. No network, no Textual."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import mutagen

from stt_tui.audio.wav import WavError, wav_data
from stt_tui.jobs.model import format_duration
from stt_tui.shared.speechkit import LPCM_RATES, MAX_CHANNELS
from stt_tui.shared.speechkit import MAX_AUDIO_BYTES as MAX_BYTES
from stt_tui.shared.speechkit import MAX_AUDIO_SECONDS as MAX_SECONDS
from stt_tui.shared.wording import detail

GB = 1024**3

WAVE_FORMAT_PCM = 1
# No speech codec gets below this: a file claiming a longer duration for its size is damaged.
MIN_PLAUSIBLE_BITS_PER_SECOND = 1000


class Encoding(StrEnum):
    """The service's names, so they can be put straight into RecognitionSpec."""

    LINEAR16_PCM = "LINEAR16_PCM"
    OGG_OPUS = "OGG_OPUS"
    MP3 = "MP3"


class ProbeError(Exception):
    """The file cannot be read as audio; the message is one sentence about it."""


@dataclass(frozen=True)
class Probe:
    """What a file holds, as far as the service cares."""

    path: str
    size: int
    container: str  # wav, ogg, mp3, flac, mp4, or what FFmpeg calls it
    codec: str  # pcm_s16le, opus, vorbis, mp3, flac, aac, ...
    duration: float  # seconds, per channel
    channels: int
    sample_rate: int
    bitrate: int | None = None
    bits_per_sample: int | None = None
    video: bool = False
    claimed_duration: float | None = None  # what a truncated WAV's header promised
    mtime_ns: int | None = None  # the file's as probed: what is sent must be what was probed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Probe:
        return cls(**data)

    @property
    def truncated(self) -> bool:
        return self.claimed_duration is not None


@dataclass(frozen=True)
class Verdict:
    """Whether and how a probed file can be sent."""

    encoding: Encoding | None  # what will be sent; None when refused
    convert: bool = False  # converted to Ogg Opus first
    reasons: list[str] = field(default_factory=list)  # why refused, or why converted
    notes: list[str] = field(default_factory=list)  # worth saying though nothing stops it (truncated)

    @property
    def ready(self) -> bool:
        return self.encoding is not None and not self.convert

    @property
    def refused(self) -> bool:
        return self.encoding is None


def _mutagen_probe(path: Path, size: int) -> Probe | None:
    try:
        found = mutagen.File(path)
    except mutagen.MutagenError as exc:
        kind = path.suffix.lstrip(".").upper() or "audio"
        raise ProbeError(f"{path.name} is not a readable {kind} file{detail(str(exc))}.") from None
    if found is None:
        return None
    info = found.info
    kind = type(found).__name__
    container, codec = {
        "WAVE": ("wav", "pcm"),
        "OggOpus": ("ogg", "opus"),
        "OggVorbis": ("ogg", "vorbis"),
        "OggFLAC": ("ogg", "flac"),
        "OggSpeex": ("ogg", "speex"),
        "MP3": ("mp3", "mp3"),
        "EasyMP3": ("mp3", "mp3"),
        "FLAC": ("flac", "flac"),
        "MP4": ("mp4", "aac"),
        "EasyMP4": ("mp4", "aac"),
        "AIFF": ("aiff", "pcm"),
        "WavPack": ("wavpack", "wavpack"),
        "ASF": ("asf", "wma"),
    }.get(kind, (kind.lower(), kind.lower()))
    bits = getattr(info, "bits_per_sample", None)
    if kind == "WAVE":
        if getattr(info, "audio_format", WAVE_FORMAT_PCM) != WAVE_FORMAT_PCM or not bits:
            return None  # extensible or float: FFmpeg reads the sub-format that decides
        codec = f"pcm_s{bits}le" if bits > 8 else "pcm_u8"
        measured = _wav_seconds(path, info)
        if measured is not None:  # the samples the file holds, whatever the header's sizes say
            held, claimed = measured
            return Probe(
                path=str(path), size=size, container=container, codec=codec, duration=held,
                channels=int(info.channels), sample_rate=int(info.sample_rate),
                bitrate=int(info.bitrate) if info.bitrate else None, bits_per_sample=bits,
                claimed_duration=claimed,
            )  # fmt: skip
    if kind in ("MP4", "EasyMP4"):
        codec = getattr(info, "codec", "") or "aac"
        codec = "aac" if codec.startswith("mp4a") else codec.split(".")[0]
    channels = int(getattr(info, "channels", 0) or 0)
    rate = int(getattr(info, "sample_rate", 0) or (48000 if codec == "opus" else 0))
    if not channels:
        return None  # e.g. an MP4 with no audio track: let FFmpeg look
    return Probe(
        path=str(path),
        size=size,
        container=container,
        codec=codec,
        duration=float(info.length or 0.0),
        channels=channels,
        sample_rate=rate,
        bitrate=int(info.bitrate) if getattr(info, "bitrate", None) else None,
        bits_per_sample=bits,
        video=kind in ("MP4", "EasyMP4") and path.suffix.lower() in (".mp4", ".m4v", ".mov"),
    )


def _wav_seconds(path: Path, info: Any) -> tuple[float, float | None] | None:
    """(seconds held, seconds promised when the header's data size says otherwise) of a PCM WAV, from
    where its samples are (mutagen takes the sizes as they are written: a stream's 0xFFFFFFFF reads as
    37 hours, a size never filled in as no audio). A file cut short promises more, one whose writer never
    came back to fix the size promises less."""
    try:
        _, length, promised = wav_data(path)
    except (WavError, OSError):
        return None
    frame = max(int(info.channels) * (int(info.bits_per_sample) // 8), 1)
    rate = int(info.sample_rate) or 1
    held, claimed = length / frame / rate, promised / frame / rate
    return held, (claimed if abs(claimed - held) > max(0.05, max(claimed, held) * 0.01) else None)


def _ffmpeg_probe(path: Path, size: int) -> Probe:
    """For containers mutagen does not read (Matroska, WebM, AVI, ...)."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                # FFmpeg reads any text as ANSI art ("tty"): that is no video either.
                if container.streams.video and container.format.name != "tty":
                    raise ProbeError(f"{path.name} has no audio track.")
                raise ProbeError(f"{path.name} is not an audio or video file that can be read.")
            stream = container.streams.audio[0]
            duration = (
                container.duration / av.time_base
                if container.duration
                else float(stream.duration * stream.time_base)
                if stream.duration and stream.time_base
                else 0.0
            )
            return Probe(
                path=str(path),
                size=size,
                container=container.format.name.split(",")[0],
                codec=stream.codec_context.name,
                duration=duration,
                channels=stream.codec_context.channels,
                sample_rate=stream.codec_context.sample_rate,
                bitrate=container.bit_rate or None,
                video=bool(container.streams.video),
            )
    except av.error.FFmpegError:
        raise ProbeError(f"{path.name} is not an audio or video file that can be read.") from None


def probe(path: str | os.PathLike[str]) -> Probe:
    """Read a file's audio properties; raises ProbeError with one sentence when it cannot."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ProbeError(f"{path} does not exist.") from None
    except PermissionError:
        raise ProbeError(f"{path} cannot be read (permission denied).") from None
    except OSError as exc:  # a symlink loop, a name too long
        raise ProbeError(f"{path} cannot be read: {exc.strerror}.") from None
    if path.is_dir():
        raise ProbeError(f"{path} is a folder, not an audio file.")
    if not path.is_file():
        raise ProbeError(f"{path} is not a regular file.")
    if not os.access(path, os.R_OK):
        raise ProbeError(f"{path} cannot be read (permission denied).")
    if st.st_size == 0:
        raise ProbeError(f"{path.name} is empty.")
    try:
        found = _mutagen_probe(path, st.st_size) or _ffmpeg_probe(path, st.st_size)
    except PermissionError:
        raise ProbeError(f"{path} cannot be read (permission denied).") from None
    except OSError as exc:
        raise ProbeError(f"{path} cannot be read: {exc.strerror}.") from None
    # A damaged header can claim hours for a few kilobytes (a corrupt Ogg's last granule).
    damaged = found.duration > 0 and st.st_size * 8 / found.duration < MIN_PLAUSIBLE_BITS_PER_SECOND
    if found.container != "wav" and damaged:
        raise ProbeError(
            f"{path.name} looks damaged: it claims to last {format_duration(found.duration)} but holds "
            f"only {st.st_size / 1024:,.0f} KB of audio."
        )
    return replace(found, mtime_ns=st.st_mtime_ns)


def _native_encoding(p: Probe) -> tuple[Encoding | None, str]:
    """The encoding the file can be sent in as it is, or None and why not."""
    if p.video:
        return None, "it is a video file"
    if p.container == "wav":
        if p.codec != "pcm_s16le":
            return None, f"it is {p.codec} WAV, and the service takes only 16-bit PCM"
        if p.sample_rate not in LPCM_RATES:
            return None, f"its sample rate is {p.sample_rate} Hz, and PCM must be 8, 16 or 48 kHz"
        return Encoding.LINEAR16_PCM, ""
    if p.container == "ogg" and p.codec == "opus":
        return Encoding.OGG_OPUS, ""
    if p.container == "mp3":
        return Encoding.MP3, ""
    return None, f"the service does not take {p.codec} in {p.container}"


def check(p: Probe) -> Verdict:
    """Every reason the service would refuse the file, or how it will be sent (perhaps converted)."""
    refusals = []
    if p.channels > MAX_CHANNELS:
        refusals.append(f"It has {p.channels} channels; the service takes at most {MAX_CHANNELS}.")
    if p.duration * p.channels > MAX_SECONDS:
        refusals.append(
            f"It lasts {p.duration * p.channels / 3600:.1f} h summed over its {p.channels} channels; "
            "the limit is 4 h."
        )
    if p.duration <= 0:
        refusals.append("It holds no audio.")
    if refusals:
        return Verdict(None, reasons=refusals)
    notes = []
    if p.claimed_duration is not None and p.claimed_duration > p.duration:
        notes.append(
            f"It is truncated: its header promises {p.claimed_duration:.2f} s but it holds "
            f"{p.duration:.2f} s; those {p.duration:.2f} s are sent."
        )
    elif p.claimed_duration is not None:
        notes.append(
            f"Its header promises only {p.claimed_duration:.2f} s but it holds {p.duration:.2f} s of "
            f"samples; all {p.duration:.2f} s are sent."
        )
    encoding, why = _native_encoding(p)
    if encoding is None:
        reasons = [f"Will be converted to Ogg Opus: {why}."]
        return Verdict(Encoding.OGG_OPUS, convert=True, reasons=reasons, notes=notes)
    if p.size > MAX_BYTES:
        return Verdict(
            Encoding.OGG_OPUS,
            convert=True,
            reasons=[f"Will be converted to Ogg Opus: at {p.size / GB:.2f} GB it is over the 1 GB limit."],
            notes=notes,
        )
    return Verdict(encoding, notes=notes)
