"""Reading the shared speech clips and turning them into what the service takes."""

from __future__ import annotations

import io
import re
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt

Spec = stt.RecognitionSpec
SHARED = Path(__file__).resolve().parents[3] / "shared"
SPEECH = SHARED / "bench" / "speech"
SERVICE_RATES = (8000, 16000, 48000)


@dataclass(frozen=True)
class Clip:
    path: Path
    reference: str
    language: str
    seconds: float


def manifest(folder: Path = SPEECH, language: str | None = "en") -> list[Clip]:
    rows = (folder / "MANIFEST.tsv").read_text().splitlines()
    header = rows[0].split("\t")
    clips = []
    for line in rows[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        if language is None or row["language"] == language:
            clips.append(
                Clip(folder / row["file"], row["reference"], row["language"], float(row["duration_s"]))
            )
    return clips


def clip(name: str) -> Clip:
    return next(c for c in manifest(language=None) if c.path.name == name)


def another_recording(src: Path, dst: Path, n: int) -> Path:
    """A copy of a WAV with its last sample nudged by `n`: the same words, another recording (sha256)."""
    data = bytearray(src.read_bytes())
    data[-2] = n % 256
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(bytes(data))
    return dst


def read_pcm(path: Path) -> tuple[np.ndarray, int]:
    """(samples as int16 [frames, channels], rate) from a WAV or a headerless 16 kHz .raw file."""
    if path.suffix == ".raw":
        return np.frombuffer(path.read_bytes(), "<i2").reshape(-1, 1), 16000
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())
        return data, w.getframerate()


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """int16 [frames, channels] resampled with PyAV (the test converts once, as a user's tool would)."""
    layout = "mono" if samples.shape[1] == 1 else "stereo"
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples.reshape(1, -1)), format="s16", layout=layout
    )
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout=layout, rate=target)
    out = [f.to_ndarray().reshape(-1, samples.shape[1]) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1, samples.shape[1]) for f in resampler.resample(None)]
    return np.concatenate(out)


def service_pcm(path: Path) -> tuple[bytes, int, int]:
    """Raw LPCM the service accepts: (bytes, rate, channels); other rates go to 16 kHz."""
    samples, rate = read_pcm(path)
    if rate not in SERVICE_RATES:
        samples, rate = resample(samples, rate, 16000), 16000
    return samples.astype("<i2").tobytes(), rate, samples.shape[1]


def encode(samples: np.ndarray, rate: int, container: str, codec: str, out_rate: int | None = None) -> bytes:
    """int16 [frames, channels] encoded with PyAV into `container` (ogg/opus, mp3/libmp3lame)."""
    channels = samples.shape[1]
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(
            codec, rate=out_rate or rate, layout={1: "mono", 2: "stereo", 3: "3.0"}[channels]
        )
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.reshape(1, -1)), format="s16", layout=stream.codec_context.layout
        )
        frame.sample_rate = rate
        frame.pts = None
        for packet in stream.encode(frame):  # type: ignore[arg-type]
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def lpcm_request(
    pcm: bytes, rate: int, channels: int = 1, language: str = "en-US", **spec
) -> stt.LongRunningRecognitionRequest:
    return stt.LongRunningRecognitionRequest(
        config=stt.RecognitionConfig(
            specification=Spec(
                audio_encoding=Spec.LINEAR16_PCM,
                sample_rate_hertz=rate,
                audio_channel_count=channels,
                language_code=language,
                **spec,
            )
        ),
        audio=stt.RecognitionAudio(content=pcm),
    )


def container_request(
    data: bytes, encoding: int, language: str = "en-US", **spec
) -> stt.LongRunningRecognitionRequest:
    return stt.LongRunningRecognitionRequest(
        config=stt.RecognitionConfig(
            specification=Spec(audio_encoding=encoding, language_code=language, **spec)  # type: ignore[arg-type]
        ),
        audio=stt.RecognitionAudio(content=data),
    )


_NUMBER_WORDS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
    "7": "seven", "8": "eight", "9": "nine", "10": "ten",
}  # fmt: skip


def normalize(text: str) -> str:
    """Lowercase words without punctuation; lone digits 0-10 spelled out, as the references have them."""
    words = re.sub(r"[^\w' ]+", " ", text.lower().replace("-", " ")).split()
    return " ".join(_NUMBER_WORDS.get(w, w) for w in words)


def transcript(response: stt.LongRunningRecognitionResponse, channel: int | None = None) -> str:
    return " ".join(
        c.alternatives[0].text for c in response.chunks if channel is None or c.channel_tag == channel
    )


SPOKEN = clip("ds_arctic_a0024.wav")  # "It was my reports from the north which chiefly induced people…"


def variant(path: Path, n: int) -> Path:
    """The spoken clip as another recording (the same words, another sha256)."""
    return another_recording(SPOKEN.path, path, n)
