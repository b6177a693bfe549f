"""The job model: states, request options, and retention-deadline arithmetic. Pure, no I/O."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from stt_tui.shared.speechkit import V3

RETENTION_SECONDS = 72 * 3600  # the service keeps results 3 days from creation
WARN_BEFORE_EXPIRY_SECONDS = 12 * 3600


class JobState(StrEnum):
    SUBMITTING = "submitting"  # row written, operation id not known yet
    RUNNING = "running"  # the service has it
    DONE = "done"  # the whole result is stored locally
    FAILED = "failed"
    EXPIRED = "expired"  # the service forgot it before a result was stored
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.EXPIRED, JobState.CANCELLED})


@dataclass(frozen=True)
class RequestOptions:
    """What the user asked for: RecognitionSpec (v2) or RecognitionModelOptions and the rest (v3)."""

    language: str = "en-US"  # or "auto" (v3: detected, among `languages` when some are given)
    model: str = "general"
    profanity_filter: bool = False
    literature_text: bool = False
    raw_results: bool = False  # numbers as words: v3 calls it text normalization off
    languages: tuple[str, ...] = ()  # v3 `auto`: the languages it may choose from
    speaker_labeling: bool = False  # v3, mono audio: two speakers told apart
    phone_formatting: bool = True  # v3

    def turned_on(self, api: str) -> list[str]:
        """The options turned on that `api` carries, as a person reads them (a v2 request has no
        speaker labeling or phone formatting, whatever the defaults say)."""
        v3_only = {"speaker_labeling", "phone_formatting"}
        return [
            name.replace("_", " ")
            for name, value in asdict(self).items()
            if value is True and (api == V3 or name not in v3_only)
        ]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["languages"] = list(self.languages)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestOptions:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "languages" in known:
            known["languages"] = tuple(known["languages"] or ())
        return cls(**known)

    @property
    def deferred(self) -> bool:
        return self.model.startswith("deferred-")

    def normalized(self) -> RequestOptions:
        """The options as the service reads them: codes in one case, and the language list a set that
        counts only for `auto`. Two requests give the same result exactly when these are equal."""
        auto = self.language.lower() == "auto"
        languages = tuple(sorted({c.lower() for c in self.languages})) if auto else ()
        return replace(self, language=self.language.lower(), languages=languages)

    def label(self) -> str:
        """The language asked for, as a person reads it: `en-US`, `auto`, `auto (en-US, ru-RU)`."""
        if self.language.lower() == "auto" and self.languages:
            return f"auto ({', '.join(self.languages)})"
        return self.language or "?"


# Every option of a request changes what comes back (the words, their spelling, the labels); these name
# them for a person, in the order they are compared.
_OPTION_NAMES = {
    "model": "model",
    "profanity_filter": "profanity filter",
    "literature_text": "literature text",
    "raw_results": "raw results",
    "speaker_labeling": "speakers",
    "phone_formatting": "phone formatting",
}


@dataclass(frozen=True)
class Request:
    """What a job asked the service for: a repeat is the same audio with an equal Request (profile, API
    and every option that changes the result); the same audio asked for otherwise is new work."""

    profile: str
    api: str
    options: RequestOptions  # normalized

    @classmethod
    def of(cls, profile: str, api: str, options: RequestOptions) -> Request:
        return cls(profile, api, options.normalized())


def differences(before: RequestOptions, now: RequestOptions, apis: tuple[str, str] = ("", "")) -> list[str]:
    """What `now` asks otherwise than `before` (and `apis`: the API before and now), for a person:
    `API v2 → v3`, `en-US → ru-RU`, `literature text on`."""
    said = [f"API {apis[0]} → {apis[1]}"] if apis[0] != apis[1] else []
    a, b = before.normalized(), now.normalized()
    if (a.language, a.languages) != (b.language, b.languages):
        said.append(f"{before.label()} → {now.label()}")
    for name, words in _OPTION_NAMES.items():
        old, new = getattr(before, name), getattr(now, name)
        if old != new:
            said.append(f"{words} {'on' if new else 'off'}" if isinstance(new, bool) else f"{words} {new}")
    return said


def language_list(text: str) -> tuple[str, ...]:
    """`en-US, ru-RU` -> the codes, in order, once each."""
    return tuple(dict.fromkeys(c.strip() for c in text.replace(" ", ",").split(",") if c.strip()))


def parse_languages(text: str) -> tuple[str, tuple[str, ...]]:
    """`en-US` -> one language; `auto` -> detected; `en-US,ru-RU` (or `auto,en-US,ru-RU`) -> detected
    among those."""
    codes = language_list(text)
    if len(codes) <= 1:
        return (codes[0] if codes else text.strip()), ()
    return "auto", tuple(c for c in codes if c.lower() != "auto")


@dataclass(frozen=True)
class Job:
    """One row of the history, as the core and the frontends see it."""

    id: int
    profile: str
    state: JobState
    file_path: str
    created_at: float
    operation_id: str | None = None
    file_size: int | None = None
    file_hash: str | None = None
    probe: dict[str, Any] | None = None
    options: RequestOptions = field(default_factory=RequestOptions)
    encoding: str | None = None
    audio_seconds: float | None = None
    channels: int | None = None
    payload_path: str | None = None
    done_at: float | None = None
    expires_at: float | None = None
    next_poll_at: float | None = None
    polls: int = 0
    last_error: str | None = None
    errors: int = 0  # failed checks in a row
    submitter_pid: int | None = None
    object_uri: str | None = None  # the uploaded audio, while it is in Object Storage
    has_result: bool = False  # the finished Operation is stored (a transcript, or why there is none)
    sent_at: float | None = None  # when the recognition request was about to go out
    expected_seconds: float | None = None  # recognition time expected at submit, by its profile's speed
    api: str = "v2"  # the API the operation was started with (its result's shape follows)
    detected_language: str | None = None  # what the service recognized most of the speech as (v3)

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def has_transcript(self) -> bool:
        """A transcript is stored locally: only a done job has one (a cancelled one stores its error)."""
        return self.has_result and self.state == JobState.DONE

    @property
    def language(self) -> str:
        """The language as a person reads it in a list: `en-US`; `auto ru-RU` once detected."""
        if self.options.language.lower() == "auto" and self.detected_language:
            return f"auto {self.detected_language}"
        return self.options.label()

    @property
    def request(self) -> Request:
        return Request.of(self.profile, self.api, self.options)

    def with_(self, **changes: Any) -> Job:
        return replace(self, **changes)


@dataclass(frozen=True)
class StoredResult:
    """What the history keeps of a finished job: the Operation, and for API v3 its result stream."""

    operation_json: str
    recognition_json: str | None = None  # a StreamingResponseList

    def document(self) -> str:
        """One JSON text for exports and the transcript view: v2, the Operation as it is; v3, the
        Operation with the events GetRecognition streamed (`{"operation": …, "streamingResponses": […]}`)."""
        if self.recognition_json is None:
            return self.operation_json
        # A damaged row (a disk error, a hand edit) is kept as text: whoever reads its phrases says so in
        # a sentence (outputs/export.utterances), and the details view still shows what is there.
        try:
            events = json.loads(self.recognition_json).get("streamingResponses", [])
        except (ValueError, AttributeError):
            events = self.recognition_json
        try:
            operation = json.loads(self.operation_json)
        except ValueError:
            operation = self.operation_json
        return json.dumps({"operation": operation, "streamingResponses": events}, ensure_ascii=False)


def retention_deadline(created_at: float) -> float:
    """When the service forgets the operation."""
    return created_at + RETENTION_SECONDS


def seconds_left(job: Job, now: float) -> float | None:
    """Seconds until the service forgets the job's result; None when it does not matter any more."""
    if job.expires_at is None or job.has_transcript or job.state in (JobState.FAILED, JobState.CANCELLED):
        return None
    return job.expires_at - now


def expiry_level(job: Job, now: float) -> str | None:
    """'expired', 'warning' (last 12 h) or 'ok' for a result not yet stored locally; None otherwise."""
    left = seconds_left(job, now)
    if left is None:
        return None
    if left <= 0:
        return "expired"
    return "warning" if left <= WARN_BEFORE_EXPIRY_SECONDS else "ok"


def format_duration(seconds: float, *, up: bool = False) -> str:
    """Compact human duration: 45s, 12m05s, 3h07m, 2d04h; rounded to the nearest second (up: an estimate
    is never shown shorter than it is, and never as 0s)."""
    s = max(math.ceil(seconds), 1) if up else round(max(seconds, 0))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def clock(seconds: float) -> str:
    """A time in the audio: `00:14:03` (hours always shown, as players do)."""
    whole = max(int(seconds), 0)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
