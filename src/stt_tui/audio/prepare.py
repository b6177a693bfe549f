"""Turning a checked file into the bytes that are sent: raw LPCM, the file as it is, or Ogg Opus."""

from __future__ import annotations

import hashlib
import os
import shutil
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stt_tui.audio.probe import Encoding, Probe, Verdict
from stt_tui.audio.wav import WavError, wav_data_range
from stt_tui.shared.atomic import PART, part_writer, replacing
from stt_tui.shared.private import private_dir
from stt_tui.shared.processes import pid_alive

Progress = Callable[[str, float], None]
"""Called with a stage ("hashing", "converting", "copying") and a fraction from 0 to 1."""

_CHUNK = 1 << 20
OPUS_BITRATE_PER_CHANNEL = 32_000  # plenty for speech


class PrepareError(Exception):
    """The file could not be turned into something the service takes."""


class SourceChanged(PrepareError):
    """The file changed between its probe and the end of its reading (a copy still under way)."""


@dataclass(frozen=True)
class Payload:
    """What gets sent for one file."""

    path: Path
    encoding: Encoding
    sample_rate: int  # LINEAR16_PCM only, else 0
    channels: int  # LINEAR16_PCM only, else 0
    sha256: str  # of the original file: the same file is prepared (and sent) once
    wav: bool = False  # LINEAR16_PCM kept in its WAV container (API v3 takes it so)

    @property
    def extension(self) -> str:
        return "wav" if self.wav else {"LINEAR16_PCM": "pcm", "OGG_OPUS": "opus", "MP3": "mp3"}[self.encoding]


def opus_estimate(seconds: float, channels: int) -> int:
    """About how many bytes a conversion to Ogg Opus gives (the bitrate, and a little for the pages)."""
    return round(seconds * max(min(channels, 2), 1) * OPUS_BITRATE_PER_CHANNEL / 8 * 1.03)


def no_progress(stage: str, fraction: float) -> None:
    """Progress nobody watches."""


def file_hash(path: Path, progress: Progress = no_progress) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    size = max(path.stat().st_size, 1)
    done = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            progress("hashing", done / size)
    return digest.hexdigest()


def sweep_parts(folder: Path) -> list[Path]:
    """Delete parts whose writing process is gone (killed mid-write); return them."""
    swept = []
    for part in folder.glob(f"*{PART}"):
        pid = part_writer(part)
        if pid is not None and pid_alive(pid):
            continue
        part.unlink(missing_ok=True)
        swept.append(part)
    return swept


def _copy_range(src: Path, dst: Path, offset: int, length: int, progress: Progress) -> None:
    with replacing(dst) as fout, open(src, "rb") as fin:
        fin.seek(offset)
        left = length
        while left > 0:
            chunk = fin.read(min(_CHUNK, left))
            if not chunk:
                break
            fout.write(chunk)
            left -= len(chunk)
            progress("copying", 1 - left / max(length, 1))


def _copy_as_wav(src: Path, dst: Path, probe: Probe, progress: Progress) -> None:
    """The samples the file holds, under a header that says so (the file's own misstates them)."""
    try:
        offset, length = wav_data_range(src)
    except WavError as exc:
        raise PrepareError(str(exc)) from None
    with replacing(dst) as fout, open(src, "rb") as fin, wave.open(fout, "wb") as out:
        out.setnchannels(probe.channels)
        out.setsampwidth((probe.bits_per_sample or 16) // 8)
        out.setframerate(probe.sample_rate)
        fin.seek(offset)
        left = length
        while left > 0 and (chunk := fin.read(min(_CHUNK, left))):
            out.writeframesraw(chunk)
            left -= len(chunk)
            progress("copying", 1 - left / max(length, 1))


def _link_or_copy(src: Path, dst: Path, progress: Progress) -> None:
    try:
        # The file a link names, not the link: Linux's link() of a symlink makes another symlink, which
        # the engine follows out of the outbox and refuses to read.
        os.link(os.path.realpath(src), dst)
    except FileExistsError:
        pass  # prepared by another process meanwhile
    except OSError:  # another file system, or links not allowed
        with replacing(dst) as fout, open(src, "rb") as fin:
            shutil.copyfileobj(fin, fout, _CHUNK)
    progress("copying", 1.0)


def convert_to_opus(src: Path, dst: Path, duration: float, progress: Progress = no_progress) -> None:
    """Decode anything FFmpeg reads and encode its first audio track as Ogg Opus (1 or 2 channels)."""
    import av

    try:
        # FFmpeg writes into the part opened here: it never opens a name itself, which could be a link.
        with replacing(dst) as part, av.open(str(src)) as fin, av.open(part, "w", format="ogg") as fout:
            if not fin.streams.audio:
                raise PrepareError(f"{src.name} has no audio track.")
            stream_in = fin.streams.audio[0]
            channels = min(stream_in.codec_context.channels or 1, 2)
            layout = "mono" if channels == 1 else "stereo"
            stream_out = fout.add_stream("libopus", rate=48000, layout=layout)
            stream_out.bit_rate = OPUS_BITRATE_PER_CHANNEL * channels
            resampler = av.AudioResampler(format="s16", layout=layout, rate=48000)
            for frame in fin.decode(stream_in):
                for out in resampler.resample(frame):
                    for packet in stream_out.encode(out):
                        fout.mux(packet)
                if frame.time is not None and duration > 0:
                    progress("converting", min(frame.time / duration, 1.0))
            for out in resampler.resample(None):
                for packet in stream_out.encode(out):
                    fout.mux(packet)
            for packet in stream_out.encode(None):
                fout.mux(packet)
    except av.error.FFmpegError as exc:
        raise PrepareError(f"{src.name} could not be converted to Ogg Opus: {exc.strerror or exc}.") from None
    progress("converting", 1.0)


def prepare(
    probe: Probe,
    verdict: Verdict,
    outbox: Path,
    progress: Progress = no_progress,
    sha: str | None = None,
    *,
    keep_wav: bool = False,
) -> Payload:
    """Write (once per distinct file) what will be sent into `outbox` and describe it (`sha`: the
    file's SHA-256 when the caller already has it; `keep_wav`: a WAV goes whole, header and all, as
    API v3 takes it, instead of as raw samples)."""
    if verdict.encoding is None:
        raise PrepareError(" ".join(verdict.reasons))
    src = Path(probe.path)
    _unchanged(src, probe)  # since the probe (the hash was taken after it)
    sha = sha or file_hash(src, progress)
    private_dir(outbox)
    payload, written = _payload(src, probe, verdict, outbox, progress, sha, keep_wav)
    try:
        _unchanged(src, probe)  # while it was read
    except SourceChanged:
        if written:  # named by a hash it may not hold: never to be taken for that content
            payload.path.unlink(missing_ok=True)
        raise
    return payload


def _unchanged(src: Path, probe: Probe) -> None:
    """SourceChanged unless the file has the size and time it had when probed: a file still being
    written would be sent half, under the hash and length of another state of it."""
    try:
        st = src.stat()
    except OSError as exc:
        raise PrepareError(f"{src.name} cannot be read: {exc.strerror}.") from None
    if probe.mtime_ns is not None and (st.st_size, st.st_mtime_ns) != (probe.size, probe.mtime_ns):
        raise SourceChanged(
            f"{src.name} changed while it was being read (is it still being written?); it was not sent."
        )


def _payload(
    src: Path, probe: Probe, verdict: Verdict, outbox: Path, progress: Progress, sha: str, keep_wav: bool
) -> tuple[Payload, bool]:
    """What will be sent, written into the outbox unless it is there already (and whether it was)."""
    assert verdict.encoding is not None
    if verdict.convert:
        dst = outbox / f"{sha}.opus"
        if written := not dst.exists():
            convert_to_opus(src, dst, probe.duration, progress)
        return Payload(dst, Encoding.OGG_OPUS, 0, 0, sha), written
    if verdict.encoding == Encoding.LINEAR16_PCM and keep_wav:
        dst = outbox / f"{sha}.wav"
        if (written := not dst.exists()) and probe.truncated:
            _copy_as_wav(src, dst, probe, progress)  # a header that says what the file holds
        elif written:
            _link_or_copy(src, dst, progress)
        return Payload(dst, Encoding.LINEAR16_PCM, probe.sample_rate, probe.channels, sha, wav=True), written
    if verdict.encoding == Encoding.LINEAR16_PCM:
        dst = outbox / f"{sha}.pcm"
        if written := not dst.exists():
            try:
                offset, length = wav_data_range(src)
            except WavError as exc:
                raise PrepareError(str(exc)) from None
            _copy_range(src, dst, offset, length, progress)
        return Payload(dst, Encoding.LINEAR16_PCM, probe.sample_rate, probe.channels, sha), written
    dst = outbox / f"{sha}.{'opus' if verdict.encoding == Encoding.OGG_OPUS else 'mp3'}"
    if written := not dst.exists():
        _link_or_copy(src, dst, progress)
    return Payload(dst, verdict.encoding, 0, 0, sha), written
