"""Facts of the SpeechKit asynchronous service (API v2 and v3) that both the client and the engine go by.
Pure."""

from __future__ import annotations

MAX_AUDIO_BYTES = 1024**3  # 1 GB, in a bucket
MAX_INLINE_BYTES = 60 * 1024**2  # audio sent inside the request (v3 documents it; v2 async, not at all)
MAX_AUDIO_SECONDS = 4 * 3600  # summed over channels
MAX_CHANNELS = 2
CLOUD_MAX_SPEAKERS = 2  # speaker labeling tells at most two voices apart (mono audio only)
LOCAL_MAX_SPEAKERS = 8  # the embedded engine's own limit (its strict cloud mode keeps the service's)
LPCM_RATES = (8000, 16000, 48000)

DEFAULT_LANGUAGE = "ru-RU"
DEFAULT_MODEL = "general"
DEFERRED_MODEL = "deferred-general"
MODELS = ("general", "general:rc", "general:deprecated", DEFERRED_MODEL)
# RecognizeFile (v3) offers the deferred model in all three releases.
V3_MODELS = (*MODELS, "deferred-general:rc", "deferred-general:deprecated")

V2, V3 = "v2", "v3"
APIS = (V2, V3)
AUTO = "auto"

# The service's list, each language once, with its name for a person. Kazakh is spelled `kk-KZ` today;
# an older revision of the docs spelled it `kk-KK`, which is still taken (as kk-KZ), never offered.
LANGUAGE_NAMES = {
    "ru-RU": "Russian", "en-US": "English", "de-DE": "German", "es-ES": "Spanish", "fi-FI": "Finnish",
    "fr-FR": "French", "he-HE": "Hebrew", "it-IT": "Italian", "kk-KZ": "Kazakh", "nl-NL": "Dutch",
    "pl-PL": "Polish", "pt-PT": "Portuguese", "pt-BR": "Portuguese (Brazil)", "sv-SE": "Swedish",
    "tr-TR": "Turkish", "uz-UZ": "Uzbek", AUTO: "detect the language",
}  # fmt: skip
LANGUAGES = tuple(LANGUAGE_NAMES)
_ALIASES = {"kk-kk": "kk-KZ"}

_LANGUAGE_BY_KEY = {**{code.lower(): code for code in LANGUAGES}, **_ALIASES}


def canonical_language(code: str) -> str | None:
    """The service's spelling of a language code given in any case, or None if it does not know it."""
    return _LANGUAGE_BY_KEY.get(code.strip().lower())


def options_problem(language: str, model: str, api: str = V2) -> str | None:
    """Why the service would refuse this language and model, in one sentence; None when it takes them."""
    if canonical_language(language) is None:
        shown = language if len(language) <= 40 else language[:39] + "…"
        return f"The language code {shown!r} is not one the service knows; use one of {', '.join(LANGUAGES)}."
    models = V3_MODELS if api == V3 else MODELS
    if model not in models:
        shown = model if len(model) <= 40 else model[:39] + "…"
        return f"The model {shown!r} is not one the service offers; use one of {', '.join(models)}."
    if canonical_language(language) == "pt-BR" and model != "general:rc":
        return "The language pt-BR is available only with the model general:rc."
    return None


# Default hourly quotas (support can raise them): recognition requests, OperationService.Get calls.
REQUESTS_PER_HOUR = 500
CHECKS_PER_HOUR = 2500
V3_CHECKS_PER_SECOND = 5  # status checks of API v3 operations, on top of the hourly figure

# Object Storage: where SpeechKit reads `uri` audio from, and the region S3 signatures name.
STORAGE_URL = "https://storage.yandexcloud.net"
STORAGE_REGION = "ru-central1"

# IAM's JWT exchange: the exact audience it expects, and the limits it sets.
JWT_AUDIENCE = "https://iam.api.cloud.yandex.net/iam/v1/tokens"
MAX_JWT_SECONDS = 3600
MAX_JWT_CHARS = 8000
