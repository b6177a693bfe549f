"""What the service accepts in an API v3 RecognizeFile request, checked as the service checks it. Pure.

The result is the same AcceptedSpec a v2 request gives, so the rest of the engine needs no second path.
"""

from __future__ import annotations

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.engine.validation import WAV, AcceptedSpec, RequestRefused, Spec, check_spec, lpcm_shape
from stt_tui.shared.speechkit import AUTO, LANGUAGES, V3, V3_MODELS, canonical_language
from stt_tui.shared.wording import quoted

_CONTAINER: dict[int, int] = {
    v3.ContainerAudio.WAV: WAV,
    v3.ContainerAudio.OGG_OPUS: Spec.OGG_OPUS,
    v3.ContainerAudio.MP3: Spec.MP3,
}


def refuse_unsupported(request: v3.RecognizeFileRequest) -> None:
    """Options the engine cannot honour are refused by name, never ignored."""
    unsupported = {
        "recognition_classifier": "classifiers",
        "speech_analysis": "speech analysis",
        "summarization": "summarization",
    }
    for name, what in unsupported.items():
        if request.HasField(name) and getattr(request, name).ByteSize():
            raise RequestRefused(f"{name} is not supported by the embedded engine: {what} need the cloud.")


def _languages(options: v3.LanguageRestrictionOptions) -> tuple[str, tuple[str, ...]]:
    """(language, whitelist): one code, or `auto` with the codes it may choose from (none: any)."""
    kind = options.restriction_type
    if kind == v3.LanguageRestrictionOptions.BLACKLIST:
        raise RequestRefused(
            "language_restriction BLACKLIST is not supported by the embedded engine; use WHITELIST."
        )
    codes = []
    for code in options.language_code:
        known = canonical_language(code)
        if known is None:
            raise RequestRefused(
                f"language_restriction.language_code {quoted(code)} is not supported; use one of "
                f"{', '.join(LANGUAGES)}."
            )
        if known not in codes:
            codes.append(known)
    if codes and kind != v3.LanguageRestrictionOptions.WHITELIST:
        raise RequestRefused("language_restriction.restriction_type must be WHITELIST when codes are given.")
    chosen = [c for c in codes if c != AUTO]
    if len(chosen) == 1 and AUTO not in codes:
        return chosen[0], ()
    return AUTO, () if AUTO in codes else tuple(chosen)


def check_recognize_file(request: v3.RecognizeFileRequest) -> AcceptedSpec:
    """Apply the service's defaults and rules to a RecognizeFileRequest (its audio aside)."""
    refuse_unsupported(request)
    options = request.recognition_model
    model = options.model.strip() or "general"
    if model not in V3_MODELS:
        raise RequestRefused(
            f"recognition_model.model {quoted(options.model)} is not supported; use one of "
            f"{', '.join(V3_MODELS)}."
        )
    language, whitelist = _languages(options.language_restriction)
    if language == "pt-BR" and model != "general:rc":
        raise RequestRefused("language pt-BR is available only with the model general:rc.")
    audio = options.audio_format
    kind = audio.WhichOneof("AudioFormat")
    rate = channels = 0
    encoding: int
    if kind == "raw_audio":
        raw = audio.raw_audio
        if raw.audio_encoding != v3.RawAudio.LINEAR16_PCM:
            raise RequestRefused("raw_audio.audio_encoding must be LINEAR16_PCM.")
        rate, channels = lpcm_shape(raw.sample_rate_hertz, raw.audio_channel_count, "raw_audio.")
        encoding = Spec.LINEAR16_PCM
    elif kind == "container_audio":
        found = _CONTAINER.get(audio.container_audio.container_audio_type)
        if found is None:
            raise RequestRefused("container_audio.container_audio_type must be WAV, OGG_OPUS or MP3.")
        encoding = found
    else:
        raise RequestRefused(
            "recognition_model.audio_format is required: raw_audio (LINEAR16_PCM) or container_audio "
            "(WAV, OGG_OPUS, MP3)."
        )
    norm = options.text_normalization
    phones = norm.phone_formatting_mode != v3.TextNormalizationOptions.PHONE_FORMATTING_MODE_DISABLED
    normalized = norm.text_normalization == v3.TextNormalizationOptions.TEXT_NORMALIZATION_ENABLED
    return AcceptedSpec(
        encoding=encoding,
        sample_rate=rate,
        channels=channels,
        language=language,
        model=model,
        profanity_filter=norm.profanity_filter,
        literature_text=norm.literature_text,
        # The service never normalizes `auto` recognition.
        raw_results=not normalized or language == AUTO,
        api=V3,
        languages=whitelist,
        phone_formatting=phones,
        speaker_labeling=(
            request.speaker_labeling.speaker_labeling == v3.SpeakerLabelingOptions.SPEAKER_LABELING_ENABLED
        ),
    )


def stored_spec(api: str, spec: bytes) -> AcceptedSpec:
    """The accepted settings of a stored operation (its request's options, as stored at submit)."""
    if api == V3:
        return check_recognize_file(v3.RecognizeFileRequest.FromString(spec))
    return check_spec(Spec.FromString(spec))
