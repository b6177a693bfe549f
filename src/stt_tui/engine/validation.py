"""What the service accepts, checked the way the service checks it. Pure: no I/O here."""

from __future__ import annotations

from dataclasses import dataclass

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui.shared.speechkit import (
    DEFAULT_LANGUAGE,
    DEFAULT_MODEL,
    LANGUAGES,
    LPCM_RATES,
    MAX_AUDIO_BYTES,
    MAX_AUDIO_SECONDS,
    MAX_CHANNELS,
    MODELS,
    canonical_language,
)
from stt_tui.shared.wording import quoted

Spec = stt.RecognitionSpec

# API v3 adds WAV as a container; inside the engine it is one more encoding beside v2's three.
WAV = 100

ENCODING_NAMES: dict[int, str] = {
    Spec.LINEAR16_PCM: "LINEAR16_PCM",
    Spec.OGG_OPUS: "OGG_OPUS",
    Spec.MP3: "MP3",
    WAV: "WAV",
}


class RequestRefused(ValueError):
    """The request breaks a rule of the service; the message says which (INVALID_ARGUMENT)."""


@dataclass(frozen=True)
class AcceptedSpec:
    """A request's settings after defaults are applied and every rule has passed."""

    encoding: int
    sample_rate: int  # LPCM only, 0 otherwise
    channels: int  # LPCM only (containers carry their own), 0 otherwise
    language: str  # canonical spelling, e.g. "en-US"
    model: str
    profanity_filter: bool
    literature_text: bool
    raw_results: bool  # numbers as words in the text (v3: no normalization)
    api: str = "v2"
    # v3 `auto` restricted to these languages (the service's codes); empty: any the model knows.
    languages: tuple[str, ...] = ()
    phone_formatting: bool = True
    speaker_labeling: bool = False  # v3: mono audio's voices told apart, each a channel_tag

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES[self.encoding]

    @property
    def deferred(self) -> bool:
        return self.model.startswith("deferred-")


def check_spec(spec: Spec) -> AcceptedSpec:
    """Apply the service's defaults and rules to a RecognitionSpec."""
    encoding = spec.audio_encoding or Spec.OGG_OPUS  # the service's default
    if encoding not in ENCODING_NAMES or encoding == WAV:
        raise RequestRefused(
            f"audio_encoding {encoding} is not supported; use LINEAR16_PCM, OGG_OPUS or MP3."
        )
    language = canonical_language(spec.language_code or DEFAULT_LANGUAGE)
    if language is None:
        raise RequestRefused(
            f"language_code {quoted(spec.language_code)} is not supported; use one of {', '.join(LANGUAGES)}."
        )
    model = spec.model.strip() or DEFAULT_MODEL
    if model not in MODELS:
        raise RequestRefused(f"model {quoted(spec.model)} is not supported; use one of {', '.join(MODELS)}.")
    if language == "pt-BR" and model != "general:rc":
        raise RequestRefused("language_code pt-BR is available only with the model general:rc.")
    if encoding == Spec.LINEAR16_PCM:
        rate, channels = lpcm_shape(spec.sample_rate_hertz, spec.audio_channel_count)
    else:
        if spec.audio_channel_count:
            raise RequestRefused(
                f"audio_channel_count applies only to LINEAR16_PCM; leave it unset for "
                f"{ENCODING_NAMES[encoding]}, whose container carries the channel count."
            )
        channels = rate = 0
    return AcceptedSpec(
        encoding=encoding,
        sample_rate=rate,
        channels=channels,
        language=language,
        model=model,
        profanity_filter=spec.profanity_filter,
        literature_text=spec.literature_text,
        raw_results=spec.raw_results,
    )


def lpcm_shape(rate: int, channels: int, where: str = "") -> tuple[int, int]:
    """(rate, channels) of raw LPCM as the service takes it (8, 16 or 48 kHz; 1 or 2 channels, 1 when
    unset); `where` prefixes the field names in the refusal."""
    if rate not in LPCM_RATES:
        got = rate or "missing"
        raise RequestRefused(
            f"{where}sample_rate_hertz {got} is not supported for LINEAR16_PCM; use 8000, 16000 or 48000."
        )
    channels = channels or 1
    if not 1 <= channels <= MAX_CHANNELS:
        raise RequestRefused(
            f"{where}audio_channel_count {channels} is not supported; asynchronous recognition takes 1 or 2 "
            "channels."
        )
    return rate, channels


def check_size(size: int, limit: int = MAX_AUDIO_BYTES) -> None:
    """Refuse empty audio and audio over the limit (1 GB in a bucket, 60 MB inline)."""
    if size == 0:
        raise RequestRefused("The audio is empty.")
    if size > limit:
        if limit < MAX_AUDIO_BYTES:
            raise RequestRefused(
                f"The inline audio is {size / 1024**2:.0f} MB; the limit is {limit // 1024**2} MB: "
                "send larger audio by URI."
            )
        raise RequestRefused(f"The audio is {size / 1024**3:.2f} GB; the limit is 1 GB.")


def check_lpcm(size: int, head: bytes, accepted: AcceptedSpec) -> float:
    """Check raw LPCM by its size and first bytes; return its duration in seconds per channel."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        raise RequestRefused(
            "LINEAR16_PCM must be raw samples without a WAV header; strip the header before sending."
        )
    frame = 2 * accepted.channels
    if size % frame:
        raise RequestRefused(
            f"The LINEAR16_PCM audio is {size} bytes, not a whole number of {accepted.channels}-channel "
            "16-bit frames."
        )
    seconds = size / frame / accepted.sample_rate
    check_duration(seconds, accepted.channels)
    return seconds


def check_duration(seconds: float, channels: int) -> None:
    """Refuse audio with more than 2 channels or over 4 hours summed over channels."""
    if channels > MAX_CHANNELS:
        raise RequestRefused(
            f"The audio has {channels} channels; asynchronous recognition takes at most {MAX_CHANNELS}."
        )
    if seconds * channels > MAX_AUDIO_SECONDS:
        total = seconds * channels / 3600
        raise RequestRefused(
            f"The audio lasts {total:.2f} h summed over its {channels} channel(s); the limit is 4 h."
        )
