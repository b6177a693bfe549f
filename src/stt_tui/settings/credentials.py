"""Finding a cloud profile's secrets: in the profile (values or files it names), else the environment.

Nothing here logs, stores or repeats a secret: sentences name where a secret comes from, never what
it is; the objects made from secrets hide them in their repr.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stt_tui.api.auth import ApiKey, IamToken
from stt_tui.api.iam import KeyFileError, ServiceAccountKey, make_jwt
from stt_tui.settings.config import Config, ConfigError, Profile, readable_by_others

ENV_API_KEY = "YC_API_KEY"
ENV_IAM_TOKEN = "YC_IAM_TOKEN"
ENV_SA_KEY_FILE = "YC_SERVICE_ACCOUNT_KEY_FILE"
ENV_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID"
ENV_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY"

_SPEECHKIT_KEYS = ("api_key", "api_key_file", "iam_token", "iam_token_file", "service_account_key_file")
_ENV_FOR = {ENV_API_KEY: "api_key", ENV_IAM_TOKEN: "iam_token", ENV_SA_KEY_FILE: "service_account_key_file"}


@dataclass(frozen=True)
class Found:
    """A credential and where it came from (for `stt-tui profiles`); warnings about how it is kept."""

    value: ApiKey | IamToken | ServiceAccountKey | StaticKey
    source: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaticKey:
    """An Object Storage static access key; the secret never shows in a repr."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


def _read_secret_file(path: Path, what: str) -> tuple[str, tuple[str, ...]]:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"The {what} file {path} cannot be read: {exc.strerror}.") from None
    if not text:
        raise ConfigError(f"The {what} file {path} is empty.")
    return text, _permission_warning(path)


def _permission_warning(path: Path) -> tuple[str, ...]:
    if readable_by_others(path):
        return (f"{path} holds a secret and other users can read it; run `chmod 600 {path}`.",)
    return ()


def _one_source(profile: Profile, env: Mapping[str, str]) -> tuple[str, str, str]:
    """(kind, value, where) of the single SpeechKit credential a profile uses."""
    named = [k for k in _SPEECHKIT_KEYS if k in profile.credentials]
    if len(named) > 1:
        raise ConfigError(f"The profile {profile.name!r} names {' and '.join(named)}; keep one of them.")
    if named:
        key = named[0]
        return key, profile.credentials[key], f"{key} in the {profile.name} profile"
    present = [e for e in _ENV_FOR if env.get(e, "").strip()]
    if len(present) > 1:
        raise ConfigError(
            f"Both {present[0]} and {present[1]} are set; unset one, or name the credential in the "
            f"{profile.name} profile."
        )
    if present:
        return _ENV_FOR[present[0]], env[present[0]], f"${present[0]}"
    raise ConfigError(
        f"The {profile.name} profile has no credentials: set service_account_key_file (or api_key_file) "
        f"in config.toml, or ${ENV_SA_KEY_FILE}, ${ENV_API_KEY} or ${ENV_IAM_TOKEN}."
    )


def speechkit_credential(profile: Profile, env: Mapping[str, str] = os.environ) -> Found:
    """The credential for recognition calls: an API key, an IAM token, or a service account key."""
    kind, value, where = _one_source(profile, env)
    warnings: tuple[str, ...] = ()
    if kind in ("api_key_file", "iam_token_file"):
        value, warnings = _read_secret_file(
            Path(value).expanduser(), kind.removesuffix("_file").replace("_", " ")
        )
        where = f"{profile.credentials[kind]} ({where})"
        kind = kind.removesuffix("_file")
    if kind == "service_account_key_file":
        path = Path(value).expanduser()
        try:
            key = ServiceAccountKey.from_file(path)
            make_jwt(key, 0)  # a key that cannot sign is said now, not at the first call
        except KeyFileError as exc:
            raise ConfigError(str(exc)) from None
        return Found(key, f"service account key {path} ({where})", _permission_warning(path))
    try:
        credential = ApiKey(value) if kind == "api_key" else IamToken(value)
    except ValueError as exc:
        raise ConfigError(f"{exc} ({where})") from None
    return Found(credential, f"{kind.replace('_', ' ')} from {where}", warnings)


def _static_key_from_json(text: str, path: Path) -> StaticKey:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        # `yc iam access-key create --format json` and a plain {access_key_id, secret_access_key}.
        key_id = (
            (data.get("access_key") or {}).get("key_id") if isinstance(data.get("access_key"), dict) else None
        )
        key_id = key_id or data.get("access_key_id")
        secret = data.get("secret") or data.get("secret_access_key")
        if isinstance(key_id, str) and isinstance(secret, str) and key_id and secret:
            return StaticKey(key_id, secret)
    raise ConfigError(
        f"{path} is not a static access key: expected the JSON of `yc iam access-key create --format json`."
    )


def storage_key(profile: Profile, env: Mapping[str, str] = os.environ) -> Found:
    """The static access key for Object Storage uploads."""
    creds = profile.credentials
    if "storage_key_file" in creds and ("access_key_id" in creds or "secret_access_key" in creds):
        raise ConfigError(f"The profile {profile.name!r} names storage_key_file and access keys; keep one.")
    if "storage_key_file" in creds:
        path = Path(creds["storage_key_file"]).expanduser()
        text, warnings = _read_secret_file(path, "static access key")
        return Found(_static_key_from_json(text, path), f"static access key {path}", warnings)
    if "access_key_id" in creds or "secret_access_key" in creds:
        if not (creds.get("access_key_id") and creds.get("secret_access_key")):
            raise ConfigError(
                f"The profile {profile.name!r} needs both access_key_id and secret_access_key, or neither."
            )
        return Found(
            StaticKey(creds["access_key_id"], creds["secret_access_key"]),
            f"access_key_id in the {profile.name} profile",
        )
    key_id, secret = env.get(ENV_ACCESS_KEY_ID, "").strip(), env.get(ENV_SECRET_ACCESS_KEY, "").strip()
    if key_id and secret:
        return Found(StaticKey(key_id, secret), f"${ENV_ACCESS_KEY_ID}")
    raise ConfigError(
        f"The {profile.name} profile has no Object Storage key: set storage_key_file in config.toml, or "
        f"${ENV_ACCESS_KEY_ID} and ${ENV_SECRET_ACCESS_KEY}."
    )


def describe_profiles(config: Config, env: Mapping[str, str] = os.environ) -> list[dict[str, Any]]:
    """Each profile's backend, bucket and where its credentials come from (or what is missing).

    For `stt-tui profiles` and the TUI's profile switch; reads the key files, shows no secret.
    """
    return [describe_profile(p, p.name == config.default_profile, env) for p in config.profiles.values()]


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def describe_profile(profile: Profile, default: bool, env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """One profile's row of describe_profiles: `problem` says in whole sentences what it lacks to work
    ("" if nothing)."""
    row: dict[str, Any] = {"name": profile.name, "default": default}
    row["kind"] = profile.kind
    problems = []
    if profile.local:
        row["backend"] = "the embedded engine (offline)"
    else:
        row["backend"] = profile.stt_target()
        row["operations"] = profile.operation_endpoint
        row["api"] = profile.api
        storage = profile.storage
        row["bucket"] = (
            f"{storage.endpoint}/{storage.bucket}/{storage.prefix}" if storage and storage.bucket else ""
        )
        # API v3 sends files of up to 60 MB inline: a bucket (and its key) only serve larger ones.
        needs_bucket = profile.api != "v3" or profile.upload == "always"
        if not row["bucket"] and needs_bucket:
            name = profile.name
            problems.append(f"The {name} profile has no bucket: set bucket under [profiles.{name}.storage].")
        finders = [("credentials", speechkit_credential)]
        if needs_bucket or row["bucket"]:
            finders.append(("storage_key", storage_key))
        for label, find in finders:
            try:
                row[label] = find(profile, env).source
            except ConfigError as exc:
                row[label] = ""
                problems.append(_sentence(str(exc)))
    # Sentences side by side: joined with "; " they read "…: No such file…; The yandex profile has…".
    row["problem"] = " ".join(problems)
    return row
