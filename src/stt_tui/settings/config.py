"""Profiles: which backend a job goes to, how it is reached, polled and paid for.

Two profiles are built in: `local` (the embedded engine) and `yandex` (the real service). The TOML
file `config.toml` in the config folder adjusts them and adds more. It may name credentials (best:
files or the environment, see credentials.py); it is warned about when it holds secrets others can read.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stt_tui.jobs.schedule import CLOUD_POLICY, LOCAL_POLICY, PollPolicy
from stt_tui.outputs.export import parse_formats
from stt_tui.outputs.subtitles import NETFLIX, SubtitleLimits
from stt_tui.settings.values import ConfigError as ConfigError
from stt_tui.settings.values import expect, positive_numbers, subtitle_limits, unknown
from stt_tui.shared.speechkit import (
    APIS,
    LANGUAGES,
    MODELS,
    REQUESTS_PER_HOUR,
    STORAGE_REGION,
    STORAGE_URL,
    V2,
    V3,
    V3_MODELS,
    canonical_language,
)

LOCAL = "local"
YANDEX = "yandex"
CLOUD = "cloud"
CONFIG_FILE = "config.toml"

STT_ENDPOINT = "transcribe.api.cloud.yandex.net:443"  # API v2
STT_V3_ENDPOINT = "stt.api.cloud.yandex.net:443"
UPLOADS = ("auto", "always")
OPERATION_ENDPOINT = "operation.api.cloud.yandex.net:443"
IAM_ENDPOINT = "iam.api.cloud.yandex.net:443"

# Keys whose values are secrets when written into the config file itself.
SECRET_KEYS = ("api_key", "iam_token", "secret_access_key")
CREDENTIAL_KEYS = (
    "api_key",
    "api_key_file",
    "iam_token",
    "iam_token_file",
    "service_account_key_file",
    "access_key_id",
    "secret_access_key",
    "storage_key_file",
)


@dataclass(frozen=True)
class Storage:
    """The Object Storage bucket a cloud profile uploads audio to."""

    bucket: str = ""
    prefix: str = "stt-tui/"
    endpoint: str = STORAGE_URL  # where uploads go (S3 API)
    region: str = STORAGE_REGION
    # The host SpeechKit reads from: the URI sent is <uri_base>/<bucket>/<key>.
    uri_base: str = STORAGE_URL
    delete_after_result: bool = True
    ca_file: str | None = None  # PEM roots for the storage endpoint; None: the system's


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str  # "local": the embedded engine, started on demand; "cloud": fixed endpoints
    poll_policy: PollPolicy
    default_language: str
    default_model: str = "general"
    stt_endpoint: str | None = None
    operation_endpoint: str | None = None
    iam_endpoint: str = IAM_ENDPOINT
    ca_file: str | None = None  # PEM roots for the gRPC endpoints; None: the system's
    folder_id: str = ""  # only for user accounts; service accounts leave it empty
    requests_per_hour: int = REQUESTS_PER_HOUR
    storage: Storage | None = None
    # Formats written beside the audio when a job is done (`talk.wav` -> `talk.txt`); () for none.
    auto_export: tuple[str, ...] = ()
    # Where credentials come from: the CREDENTIAL_KEYS set for this profile (values or file paths).
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    api: str = V2  # "v2" (LongRunningRecognize) or "v3" (AsyncRecognizer)
    # v3: "auto" sends audio of up to 60 MB inside the request and uses the bucket only above that;
    # "always" uploads every file to the bucket.
    upload: str = "auto"
    # v3: ask the service to delete the result once it is stored here.
    delete_after_result: bool = True

    @property
    def local(self) -> bool:
        return self.kind == LOCAL

    @property
    def has_bucket(self) -> bool:
        return self.storage is not None and bool(self.storage.bucket)

    def stt_target(self) -> str | None:
        """Where recognition is submitted: the configured endpoint, else the service's host for the API."""
        if self.local:
            return None
        return self.stt_endpoint or (STT_V3_ENDPOINT if self.api == V3 else STT_ENDPOINT)


@dataclass(frozen=True)
class Config:
    profiles: dict[str, Profile]
    default_profile: str = LOCAL
    path: Path | None = None
    warnings: tuple[str, ...] = ()
    # The TUI's keys remapped: binding id ("jobs.export") -> keys ("x" or "x,ctrl+e"); `?` lists the ids.
    keymap: dict[str, str] = field(default_factory=dict)
    # Desktop notifications when a job ends unwatched (outputs/notify.py); the bell is apart.
    notify: bool = True
    # What an srt or vtt cue may hold and how long it stays (`[subtitles]`; Netflix's guidelines by default).
    subtitles: SubtitleLimits = NETFLIX
    # Named speakers' voices remembered and recognized in later jobs (service/voices.py).
    remember_voices: bool = True


def builtin_profiles() -> dict[str, Profile]:
    # English by default for the local profile (its model also does ru-RU and the other languages).
    return {
        # The engine has no request quota; a high one still stops a runaway script.
        # API v3 as the cloud profile: the language `auto` found, speakers and every v3 option offline
        # too (`api = "v2"` in config.toml keeps the frozen API).
        LOCAL: Profile(
            LOCAL, LOCAL, LOCAL_POLICY, default_language="en-US", requests_per_hour=36_000, api=V3
        ),
        # API v3: files of up to 60 MB go inside the request, so no bucket is needed for them.
        YANDEX: Profile(
            YANDEX,
            CLOUD,
            CLOUD_POLICY,
            default_language="ru-RU",
            operation_endpoint=OPERATION_ENDPOINT,
            storage=Storage(),
            api=V3,
        ),
    }


_PROFILE_KEYS = {
    "kind",
    "default_language",
    "default_model",
    "stt_endpoint",
    "operation_endpoint",
    "iam_endpoint",
    "ca_file",
    "folder_id",
    "requests_per_hour",
    "storage",
    "polling",
    "auto_export",
    "api",
    "upload",
    "delete_after_result",
    *CREDENTIAL_KEYS,
}
_STORAGE_KEYS = {f.name for f in dataclasses.fields(Storage)}


def _path_setting(value: str, base: Path) -> str:
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _storage(table: dict[str, Any], base: Storage, where: str, config_dir: Path) -> Storage:
    unknown(set(table), _STORAGE_KEYS, where)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(Storage):
        if f.name not in table:
            continue
        kind: type = bool if f.name == "delete_after_result" else str
        changes[f.name] = expect(table[f.name], kind, f"{where}.{f.name}")
    if "ca_file" in changes:
        changes["ca_file"] = _path_setting(changes["ca_file"], config_dir)
    for key in ("endpoint", "uri_base"):
        if key in changes:
            changes[key] = str(changes[key]).rstrip("/")
    if "prefix" in changes and changes["prefix"] and not str(changes["prefix"]).endswith("/"):
        changes["prefix"] = f"{changes['prefix']}/"
    return dataclasses.replace(base, **changes)


def _polling(table: dict[str, Any], base: PollPolicy, where: str) -> PollPolicy:
    kinds: dict[str, type] = {f.name: float for f in dataclasses.fields(PollPolicy)}
    kinds["budget_per_hour"] = kinds["checks_per_hour"] = int
    changes = positive_numbers(table, kinds, where)
    if "checks_per_hour" in changes:
        changes["budget_per_hour"] = changes.pop("checks_per_hour")
    return dataclasses.replace(base, **changes)


def _formats(value: object, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f'{where} must be a list of formats, such as ["txt", "srt"].')
    try:
        return parse_formats(values)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _profile(name: str, table: dict[str, Any], base: Profile | None, config_dir: Path) -> Profile:
    where = f"[profiles.{name}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table.")
    unknown(set(table), _PROFILE_KEYS, where)
    kind = table.get("kind", base.kind if base else CLOUD)
    if kind not in (LOCAL, CLOUD):
        raise ConfigError(f"{where}.kind must be 'local' or 'cloud', not {kind!r}.")
    if base is None or base.kind != kind:
        base = builtin_profiles()[LOCAL if kind == LOCAL else YANDEX]
    local_keys = {
        "kind", "default_language", "default_model", "polling", "auto_export", "api", "delete_after_result",
    }  # fmt: skip
    extra = sorted(set(table) - local_keys)
    if kind == LOCAL and extra:
        raise ConfigError(f"{where}.{extra[0]} does not apply to a local profile.")
    changes: dict[str, Any] = {"name": name, "kind": kind}
    for key in (
        "default_language",
        "default_model",
        "stt_endpoint",
        "operation_endpoint",
        "iam_endpoint",
        "folder_id",
    ):
        if key in table:
            changes[key] = expect(table[key], str, f"{where}.{key}")
    if "ca_file" in table:
        changes["ca_file"] = _path_setting(expect(table["ca_file"], str, f"{where}.ca_file"), config_dir)
    if "requests_per_hour" in table:
        changes["requests_per_hour"] = expect(table["requests_per_hour"], int, f"{where}.requests_per_hour")
        if changes["requests_per_hour"] <= 0:
            raise ConfigError(f"{where}.requests_per_hour must be positive.")
    if "storage" in table:
        changes["storage"] = _storage(
            expect(table["storage"], dict, f"{where}.storage"),
            base.storage or Storage(),
            f"{where}.storage",
            config_dir,
        )
    if "auto_export" in table:
        changes["auto_export"] = _formats(table["auto_export"], f"{where}.auto_export")
    if "api" in table:
        changes["api"] = expect(table["api"], str, f"{where}.api")
        if changes["api"] not in APIS:
            raise ConfigError(f"{where}.api must be 'v2' or 'v3', not {changes['api']!r}.")
    if "upload" in table:
        changes["upload"] = expect(table["upload"], str, f"{where}.upload")
        if changes["upload"] not in UPLOADS:
            raise ConfigError(f"{where}.upload must be 'auto' or 'always', not {changes['upload']!r}.")
    if "delete_after_result" in table:
        changes["delete_after_result"] = expect(
            table["delete_after_result"], bool, f"{where}.delete_after_result"
        )
    if "polling" in table:
        changes["poll_policy"] = _polling(
            expect(table["polling"], dict, f"{where}.polling"), base.poll_policy, f"{where}.polling"
        )
    creds: dict[str, str] = {}
    for key in CREDENTIAL_KEYS:
        if key in table:
            value = expect(table[key], str, f"{where}.{key}")
            creds[key] = _path_setting(value, config_dir) if key.endswith("_file") else value
    changes["credentials"] = creds
    profile = dataclasses.replace(base, **changes)
    language = canonical_language(profile.default_language)
    if language is None:
        raise ConfigError(
            f"{where}.default_language {profile.default_language!r} is not one of {', '.join(LANGUAGES)}."
        )
    profile = dataclasses.replace(profile, default_language=language)
    models = V3_MODELS if profile.api == V3 else MODELS
    if profile.default_model not in models:
        raise ConfigError(
            f"{where}.default_model {profile.default_model!r} is not one of {', '.join(models)}."
        )
    return profile


def readable_by_others(path: Path) -> bool:
    """Whether users other than the owner may read the file."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False


def parse_config(text: str, path: Path) -> Config:
    """Profiles from the text of config.toml (built-in ones adjusted, others added)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    unknown(
        set(data),
        {"default_profile", "profiles", "keymap", "notify", "remember_voices", "subtitles"},
        str(path),
    )
    notify = expect(data.get("notify", True), bool, f"{path}: notify")
    remember_voices = expect(data.get("remember_voices", True), bool, f"{path}: remember_voices")
    where = f"{path}: subtitles"
    subtitles = subtitle_limits(expect(data.get("subtitles", {}), dict, where), where)
    keymap = expect(data.get("keymap", {}), dict, f"{path}: keymap")
    for binding, keys in keymap.items():
        expect(keys, str, f"{path}: keymap.{binding}")
    profiles = builtin_profiles()
    tables = expect(data.get("profiles", {}), dict, f"{path}: profiles")
    for name, table in tables.items():
        if name == LOCAL and isinstance(table, dict) and table.get("kind", LOCAL) != LOCAL:
            raise ConfigError(
                f"The profile {LOCAL!r} is the embedded engine; give a cloud profile another name."
            )
        profiles[name] = _profile(name, table, profiles.get(name), path.parent)
    default = expect(data.get("default_profile", LOCAL), str, f"{path}: default_profile")
    if default not in profiles:
        raise ConfigError(
            f"{path}: default_profile {default!r} is not a profile; have {', '.join(profiles)}."
        )
    warnings = []
    holds_secrets = any(key in p.credentials for p in profiles.values() for key in SECRET_KEYS)
    if holds_secrets and readable_by_others(path):
        warnings.append(f"{path} holds secrets and other users can read it; run `chmod 600 {path}`.")
    return Config(profiles, default, path, tuple(warnings), dict(keymap), notify, subtitles, remember_voices)


def load_config(config_dir: Path) -> Config:
    """The configuration in `config_dir`, or the built-in profiles when there is no config.toml."""
    path = config_dir / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(builtin_profiles(), LOCAL, None)
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read: {exc.strerror}.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8."
        ) from None
    return parse_config(text, path)


def load_profile(name: str | None, config_dir: Path | None = None) -> Profile:
    """The named profile, else the configured default (the local one unless config.toml says)."""
    config = load_config(config_dir) if config_dir is not None else Config(builtin_profiles())
    return choose_profile(config, name)


def choose_profile(config: Config, name: str | None) -> Profile:
    chosen = name or os.environ.get("STT_TUI_PROFILE") or config.default_profile
    if chosen not in config.profiles:
        raise ConfigError(f"There is no profile {chosen!r}; available: {', '.join(config.profiles)}.")
    return config.profiles[chosen]
