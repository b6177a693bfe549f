"""What is sent for a prepared file: the v2 and v3 recognition requests, and whether a v3 file goes inside
the request or through the bucket. Pure: no I/O here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.audio.prepare import Payload, opus_estimate
from stt_tui.audio.probe import Encoding, Probe, Verdict
from stt_tui.jobs.model import RequestOptions
from stt_tui.shared.speechkit import AUTO, MAX_INLINE_BYTES, V3

MB = 1024**2


def build_request(
    payload: Payload, options: RequestOptions, uri: str, folder_id: str = ""
) -> stt.LongRunningRecognitionRequest:
    """The v2 LongRunningRecognize request for a prepared payload."""
    spec = stt.RecognitionSpec(
        audio_encoding=payload.encoding.value,
        language_code=options.language,
        model=options.model,
        profanity_filter=options.profanity_filter,
        literature_text=options.literature_text,
        raw_results=options.raw_results,
    )
    if payload.encoding == Encoding.LINEAR16_PCM:
        # The docs call the rate both defaulted and required for LPCM: always send it, and the count.
        spec.sample_rate_hertz = payload.sample_rate
        spec.audio_channel_count = payload.channels
    return stt.LongRunningRecognitionRequest(
        config=stt.RecognitionConfig(specification=spec, folder_id=folder_id),
        audio=stt.RecognitionAudio(uri=uri),
    )


_CONTAINERS = {
    Encoding.OGG_OPUS: v3.ContainerAudio.OGG_OPUS,
    Encoding.MP3: v3.ContainerAudio.MP3,
}


def build_file_request(
    payload: Payload, options: RequestOptions, *, content: bytes | None = None, uri: str | None = None
) -> v3.RecognizeFileRequest:
    """The v3 RecognizeFile request: the audio inline (`content`) or by `uri`."""
    if payload.wav:
        audio = v3.AudioFormatOptions(
            container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV)
        )
    elif payload.encoding == Encoding.LINEAR16_PCM:
        raw = v3.RawAudio(
            audio_encoding=v3.RawAudio.LINEAR16_PCM,
            sample_rate_hertz=payload.sample_rate,
            audio_channel_count=payload.channels,
        )
        audio = v3.AudioFormatOptions(raw_audio=raw)
    else:
        kind = _CONTAINERS[payload.encoding]
        audio = v3.AudioFormatOptions(container_audio=v3.ContainerAudio(container_audio_type=kind))
    norm = v3.TextNormalizationOptions
    normalization = v3.TextNormalizationOptions(
        # The service's default is off; the options' default (as in v2) is on.
        text_normalization=norm.TEXT_NORMALIZATION_DISABLED
        if options.raw_results
        else norm.TEXT_NORMALIZATION_ENABLED,
        profanity_filter=options.profanity_filter,
        literature_text=options.literature_text,
        phone_formatting_mode=(
            norm.PHONE_FORMATTING_MODE_UNSPECIFIED
            if options.phone_formatting
            else norm.PHONE_FORMATTING_MODE_DISABLED
        ),
    )
    codes = list(options.languages) if options.language == AUTO and options.languages else [options.language]
    request = v3.RecognizeFileRequest(
        recognition_model=v3.RecognitionModelOptions(
            model=options.model,
            audio_format=audio,
            text_normalization=normalization,
            language_restriction=v3.LanguageRestrictionOptions(
                restriction_type=v3.LanguageRestrictionOptions.WHITELIST, language_code=codes
            ),
        ),
    )
    if options.speaker_labeling:
        request.speaker_labeling.speaker_labeling = v3.SpeakerLabelingOptions.SPEAKER_LABELING_ENABLED
    if content is not None:
        request.content = content
    else:
        request.uri = uri or ""
    return request


def options_problem_for(api: str, options: RequestOptions, channels: int | None = None) -> str | None:
    """Why options the v2 API lacks, or speaker labeling on more than one channel, cannot be sent."""
    if api != V3:
        if options.languages:
            return 'A language list for `auto` needs API v3; set api = "v3" for the profile.'
        if options.speaker_labeling:
            return 'Speaker labeling needs API v3; set api = "v3" for the profile.'
        if not options.phone_formatting:
            return 'Turning phone formatting off needs API v3; set api = "v3" for the profile.'
        return None
    if options.languages and options.language != AUTO:
        return "A language list applies to `auto` only; choose auto, or one language."
    if options.speaker_labeling and channels is not None and channels > 1:
        return (
            f"Speaker labeling works on mono audio only; this file has {channels} channels, which are "
            "transcribed apart anyway."
        )
    return None


@dataclasses.dataclass(frozen=True)
class Route:
    """How a v3 file travels: inline or through the bucket, and whether it is converted to fit."""

    inline: bool
    verdict: Verdict
    problem: str | None = None  # why it cannot be sent at all


def route(probe: Probe, verdict: Verdict, *, upload: str, has_bucket: bool) -> Route:
    """Inline when the prepared audio fits in 60 MB (converting to Ogg Opus when that makes it fit and
    there is no bucket); the bucket otherwise, or always when the profile says so."""
    if upload == "always":
        if not has_bucket:
            return Route(
                False, verdict, 'The profile uploads every file (upload = "always") but has no bucket.'
            )
        return Route(False, verdict)
    size = opus_estimate(probe.duration, probe.channels) if verdict.convert else probe.size
    if size <= MAX_INLINE_BYTES:
        return Route(True, verdict)
    if has_bucket:
        return Route(False, verdict)
    if not verdict.convert and opus_estimate(probe.duration, probe.channels) <= MAX_INLINE_BYTES:
        reasons = [
            f"Will be converted to Ogg Opus: at {probe.size / MB:.0f} MB it is over the 60 MB sent inline."
        ]
        return Route(
            True, dataclasses.replace(verdict, encoding=Encoding.OGG_OPUS, convert=True, reasons=reasons)
        )
    return Route(
        False,
        verdict,
        f"{Path(probe.path).name} is over the 60 MB a request can carry, even as Ogg Opus, and the profile "
        "has no bucket; set bucket under its [storage] to send larger files.",
    )
