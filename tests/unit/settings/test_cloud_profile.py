"""The cloud profile's deciding parts, without a network: config, credentials, JWTs, tokens, URIs."""

from __future__ import annotations

import json
import re
import threading

import grpc
import jwt
import pytest

from stt_tui.api import ApiKey, IamToken, ServiceError
from stt_tui.api.iam import (
    JWT_AUDIENCE,
    IssuedToken,
    KeyFileError,
    ServiceAccountCredentials,
    ServiceAccountKey,
    make_jwt,
    refresh_due,
)
from stt_tui.connection.storage import StorageError, check_endpoint
from stt_tui.engine.cloud import AccountKey, Quota, Refused, TokenIssuer, check_authorization
from stt_tui.jobs.schedule import CLOUD_POLICY
from stt_tui.settings.config import ConfigError, choose_profile, load_config, parse_config
from stt_tui.settings.credentials import describe_profiles, speechkit_credential, storage_key
from stt_tui.settings.template import TEMPLATE
from stt_tui.shared.objects import object_key, object_uri, parse_object_uri
from tests.support.cloud_helpers import make_sa_key


def config_at(tmp_path, text: str, mode: int = 0o600):
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return load_config(tmp_path)


# --- config -------------------------------------------------------------------------------------


def test_without_a_config_file_both_profiles_are_built_in(tmp_path):
    config = load_config(tmp_path)
    assert set(config.profiles) == {"local", "yandex"} and config.default_profile == "local"
    yandex = config.profiles["yandex"]
    # API v3 by default (files of up to 60 MB need no bucket); v2 on its own host when asked for.
    assert yandex.api == "v3" and yandex.stt_target() == "stt.api.cloud.yandex.net:443"
    assert not yandex.has_bucket and yandex.delete_after_result
    v2 = parse_config('[profiles.yandex]\napi = "v2"\n', tmp_path / "config.toml").profiles["yandex"]
    assert v2.stt_target() == "transcribe.api.cloud.yandex.net:443"
    assert yandex.operation_endpoint == "operation.api.cloud.yandex.net:443"
    assert yandex.iam_endpoint == "iam.api.cloud.yandex.net:443"
    assert yandex.storage.endpoint == yandex.storage.uri_base == "https://storage.yandexcloud.net"
    assert yandex.storage.region == "ru-central1"
    assert yandex.requests_per_hour == 500 and yandex.poll_policy.budget_per_hour == 2500
    assert yandex.poll_policy == CLOUD_POLICY


def test_the_template_is_a_valid_config(tmp_path):
    config = parse_config(TEMPLATE, tmp_path / "config.toml")
    yandex = config.profiles["yandex"]
    # The shortest real setup: a service-account key, API v3, no bucket.
    assert yandex.api == "v3" and not yandex.has_bucket and yandex.storage.prefix == "stt-tui/"
    assert set(yandex.credentials) == {"service_account_key_file"}
    assert yandex.credentials["service_account_key_file"].endswith("sa-key.json")


def test_a_profile_adjusts_the_built_in_one_and_others_are_added(tmp_path):
    config = config_at(
        tmp_path,
        """
default_profile = "work"
[profiles.yandex]
requests_per_hour = 900
[profiles.yandex.storage]
bucket = "b1"
prefix = "audio"
[profiles.yandex.polling]
checks_per_hour = 4000
[profiles.work]
kind = "cloud"
stt_endpoint = "stt.api.yandexcloud.kz:443"
operation_endpoint = "operation.api.yandexcloud.kz:443"
api_key_file = "keys/api"
[profiles.work.storage]
bucket = "kz"
uri_base = "https://storage.yandexcloud.kz/"
""",
    )
    yandex = config.profiles["yandex"]
    assert yandex.requests_per_hour == 900 and yandex.poll_policy.budget_per_hour == 4000
    assert yandex.storage.bucket == "b1" and yandex.storage.prefix == "audio/"
    assert yandex.stt_target() == "stt.api.cloud.yandex.net:443"  # untouched: the built-in API v3 host
    work = choose_profile(config, None)
    assert work.name == "work" and work.stt_endpoint == "stt.api.yandexcloud.kz:443"
    assert work.storage.uri_base == "https://storage.yandexcloud.kz"
    assert work.credentials["api_key_file"] == str(tmp_path / "keys" / "api")  # relative to the config


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("[profiles.yandex]\nbuckett = 'x'", "Unknown setting 'buckett' in [profiles.yandex]"),
        ("[profiles.yandex]\nrequests_per_hour = 'many'", "requests_per_hour must be a whole number"),
        ("[profiles.yandex]\ndefault_language = 'xx-XX'", "default_language 'xx-XX' is not one of"),
        ("[profiles.local]\nkind = 'cloud'", "give a cloud profile another name"),
        ("[profiles.local]\nstt_endpoint = 'x:1'", "does not apply to a local profile"),
        ("default_profile = 'nope'", "default_profile 'nope' is not a profile"),
        ("[profiles.yandex", "is not valid TOML"),
        ("[profiles.yandex.polling]\nchecks_per_hour = 0", "must be positive"),
    ],
)
def test_config_mistakes_are_one_sentence(tmp_path, text, sentence):
    with pytest.raises(ConfigError) as info:
        config_at(tmp_path, text)
    assert sentence in str(info.value)


def test_an_unknown_profile_lists_the_known_ones(tmp_path):
    with pytest.raises(ConfigError, match="no profile 'prod'; available: local, yandex"):
        choose_profile(load_config(tmp_path), "prod")


def test_secrets_in_a_config_others_can_read_are_warned_about(tmp_path):
    text = "[profiles.yandex]\napi_key = 'AQVNsecret'\n"
    assert config_at(tmp_path, text, 0o600).warnings == ()
    (warning,) = config_at(tmp_path, text, 0o644).warnings
    assert "holds secrets and other users can read it" in warning and "chmod 600" in warning
    assert "AQVNsecret" not in warning
    # Only file names, no secrets: nothing to warn about.
    assert config_at(tmp_path, "[profiles.yandex]\napi_key_file = 'k'\n", 0o644).warnings == ()


# --- credentials --------------------------------------------------------------------------------


def yandex(tmp_path, extra: str = ""):
    return config_at(tmp_path, f"[profiles.yandex]\n{extra}").profiles["yandex"]


def test_the_profile_names_the_credential_before_the_environment(tmp_path):
    (tmp_path / "api").write_text("AQVNfromfile\n")
    (tmp_path / "api").chmod(0o600)
    found = speechkit_credential(yandex(tmp_path, "api_key_file = 'api'"), {"YC_IAM_TOKEN": "t1.env"})
    assert isinstance(found.value, ApiKey) and found.value.metadata() == (
        ("authorization", "Api-Key AQVNfromfile"),
    )
    assert "api" in found.source and "AQVNfromfile" not in found.source and found.warnings == ()
    found = speechkit_credential(yandex(tmp_path), {"YC_IAM_TOKEN": "t1.env"})
    assert isinstance(found.value, IamToken) and found.source == "iam token from $YC_IAM_TOKEN"


def test_credential_files_others_can_read_are_warned_about(tmp_path):
    (tmp_path / "api").write_text("AQVNfromfile")
    (tmp_path / "api").chmod(0o644)
    (warning,) = speechkit_credential(yandex(tmp_path, "api_key_file = 'api'"), {}).warnings
    assert "other users can read it" in warning and "AQVNfromfile" not in warning


@pytest.mark.parametrize(
    "extra, env, sentence",
    [
        ("", {}, "has no credentials: set service_account_key_file"),
        ("", {"YC_API_KEY": "a", "YC_IAM_TOKEN": "b"}, "Both YC_API_KEY and YC_IAM_TOKEN are set"),
        ("api_key = 'a'\niam_token = 'b'", {}, "names api_key and iam_token; keep one"),
        ("api_key_file = 'missing'", {}, "cannot be read"),
        ("service_account_key_file = 'missing.json'", {}, "cannot be read"),
    ],
)
def test_credential_problems_are_one_sentence(tmp_path, extra, env, sentence):
    with pytest.raises(ConfigError, match=sentence):
        speechkit_credential(yandex(tmp_path, extra), env)


def test_a_service_account_key_file_is_read_with_its_extra_first_line(tmp_path):
    path = make_sa_key(tmp_path / "sa.json", "kid1", "sa1")
    found = speechkit_credential(yandex(tmp_path, f"service_account_key_file = '{path}'"), {})
    key = found.value
    assert isinstance(key, ServiceAccountKey) and (key.key_id, key.service_account_id) == ("kid1", "sa1")
    assert key.private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert "PRIVATE" not in repr(key) and "PRIVATE" not in found.source


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("not json", "is not JSON"),
        ("[]", "expected a JSON object"),
        ('{"id": "k"}', "lacks service_account_id"),
    ],
)
def test_bad_key_files_are_one_sentence(text, sentence):
    with pytest.raises(KeyFileError, match=sentence):
        ServiceAccountKey.from_json(text)


def test_a_key_that_cannot_sign_is_refused_when_read(tmp_path):
    path = tmp_path / "sa.json"
    broken = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    path.write_text(json.dumps({"id": "kid", "service_account_id": "sa", "private_key": broken}))
    with pytest.raises(ConfigError, match="cannot sign") as info:
        speechkit_credential(yandex(tmp_path, f"service_account_key_file = '{path}'"), {})
    assert "not a key" not in str(info.value)


def test_static_keys_come_from_yc_json_the_profile_or_the_environment(tmp_path):
    yc = {
        "access_key": {"id": "aje1", "service_account_id": "sa", "key_id": "YCAJEkey"},
        "secret": "YCsecret",
    }
    (tmp_path / "static.json").write_text(json.dumps(yc))
    (tmp_path / "static.json").chmod(0o600)
    found = storage_key(yandex(tmp_path, "storage_key_file = 'static.json'"), {})
    assert (found.value.access_key_id, found.value.secret_access_key) == ("YCAJEkey", "YCsecret")
    assert "YCsecret" not in repr(found.value)
    env = {"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "s"}
    assert storage_key(yandex(tmp_path), env).value.access_key_id == "id"
    with pytest.raises(ConfigError, match="needs both access_key_id and secret_access_key"):
        storage_key(yandex(tmp_path, "access_key_id = 'x'"), {})
    with pytest.raises(ConfigError, match="has no Object Storage key"):
        storage_key(yandex(tmp_path), {})


def test_describing_profiles_never_shows_a_secret(tmp_path):
    config = config_at(
        tmp_path,
        "[profiles.yandex]\napi_key = 'AQVNsecret'\n[profiles.old]\napi = 'v2'\napi_key = 'AQVNold'\n",
    )
    rows = {
        r["name"]: r
        for r in describe_profiles(config, {"AWS_ACCESS_KEY_ID": "i", "AWS_SECRET_ACCESS_KEY": "S3cr"})
    }
    assert rows["local"]["problem"] == ""
    assert rows["yandex"]["credentials"] == "api key from api_key in the yandex profile"
    # API v3 sends files of up to 60 MB inline: no bucket is no problem; API v2 needs one.
    assert rows["yandex"]["problem"] == "" and rows["yandex"]["api"] == "v3"
    assert "no bucket" in rows["old"]["problem"] and rows["old"]["api"] == "v2"
    assert "AQVN" not in json.dumps(rows) and "S3cr" not in json.dumps(rows)



def test_what_a_profile_lacks_reads_as_sentences(tmp_path):
    """Each lack is a sentence of its own: joined with "; " they read "…: No such file…; The old…"."""
    config = config_at(tmp_path, "[profiles.old]\napi = 'v2'\napi_key_file = 'missing.key'\n")
    (row,) = [r for r in describe_profiles(config, {}) if r["name"] == "old"]
    sentences = re.split(r"(?<=\.) (?=[A-Z])", row["problem"])
    assert [s.split(":")[0] for s in sentences] == [
        "The old profile has no bucket",
        f"The api key file {tmp_path / 'missing.key'} cannot be read",
        "The old profile has no Object Storage key",
    ]
    assert all(s.endswith(".") and ";" not in s for s in sentences)

# --- JWT and IAM tokens -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sa(tmp_path_factory):
    path = make_sa_key(tmp_path_factory.mktemp("sa") / "key.json", "kid-1", "sa-1")
    return ServiceAccountKey.from_file(path), AccountKey.from_file(path)


def test_the_jwt_is_what_iam_expects(sa):
    key, public = sa
    token = make_jwt(key, 1_800_000_000.7)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "PS256", "kid": "kid-1", "typ": "JWT"}
    claims = jwt.decode(
        token,
        public.public_key,
        algorithms=["PS256"],
        audience=JWT_AUDIENCE,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims == {"iss": "sa-1", "aud": JWT_AUDIENCE, "iat": 1_800_000_000, "exp": 1_800_003_600}


def test_the_engine_issues_tokens_only_for_good_jwts(sa, tmp_path):
    key, public = sa
    now = [1_000.0]
    issuer = TokenIssuer({public.key_id: public}, lifetime=10, clock=lambda: now[0])
    import time

    token, expires = issuer.create(make_jwt(key, time.time()))
    assert token.startswith("t1.") and expires == 1_010.0 and issuer.valid(token)
    now[0] = 1_010.0
    assert not issuer.valid(token)

    other = ServiceAccountKey.from_file(make_sa_key(tmp_path / "other.json", "kid-1", "sa-1"))
    cases = [
        (make_jwt(other, time.time()), "signature is invalid"),  # same kid, another private key
        (
            make_jwt(ServiceAccountKey("kid-9", "sa-1", key.private_key), time.time()),
            "Key 'kid-9' was not found",
        ),
        (make_jwt(ServiceAccountKey("kid-1", "sa-2", key.private_key), time.time()), "not acceptable"),  # iss
        (make_jwt(key, time.time(), lifetime=7200), "at most one hour"),
        (make_jwt(key, time.time() - 7200), "not acceptable"),  # expired
        (jwt.encode({"iss": "sa-1"}, "k" * 32, algorithm="HS256", headers={"kid": "kid-1"}), "use PS256"),
        ("x" * 9000, "longer than 8000"),
    ]
    for bad, message in cases:
        with pytest.raises(Refused, match=message):
            issuer.create(bad)
    claims = {
        "iss": "sa-1",
        "aud": "https://example.com",
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
    }
    wrong_aud = jwt.encode(claims, key.private_key, algorithm="PS256", headers={"kid": "kid-1"})
    with pytest.raises(Refused, match="not acceptable"):
        issuer.create(wrong_aud)


def test_authorization_needs_a_known_key_or_a_live_token(sa):
    _, public = sa
    issuer = TokenIssuer({public.key_id: public}, lifetime=60)
    for metadata, message in [
        ((), "has no authorization"),
        ((("authorization", "Api-Key wrong"),), "Unknown api key"),
        ((("authorization", "Bearer t1.forged"),), "Token is invalid or has expired"),
        ((("authorization", "Basic abc"),), "Unknown authorization scheme"),
    ]:
        with pytest.raises(Refused) as info:
            check_authorization(metadata, {"good"}, issuer)
        assert info.value.code == grpc.StatusCode.UNAUTHENTICATED and message in str(info.value)
    check_authorization((("authorization", "Api-Key good"),), {"good"}, issuer)


def test_the_engine_quota_is_a_sliding_window():
    now = [0.0]
    quota = Quota(2, 10.0, clock=lambda: now[0])
    assert [quota.take(), quota.take(), quota.take()] == [True, True, False]
    now[0] = 10.0
    assert quota.take() and quota.take() and not quota.take()


def test_a_token_is_renewed_after_an_hour_or_half_its_life():
    assert not refresh_due(0, 12 * 3600, 3599) and refresh_due(0, 12 * 3600, 3600)
    assert not refresh_due(0, 4, 1.9) and refresh_due(0, 4, 2.0)


def test_service_account_credentials_cache_renew_and_ride_out_an_iam_hiccup(sa):
    key, _ = sa
    now = [0.0]
    answers: list = []

    def exchange(k, at):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return IssuedToken(answer, at, at + 1000)

    creds = ServiceAccountCredentials(key, exchange, clock=lambda: now[0])
    answers[:] = ["t1.a"]
    assert creds.metadata() == (("authorization", "Bearer t1.a"),)
    now[0] = 499
    assert creds.metadata() == (("authorization", "Bearer t1.a"),) and creds.exchanges == 1  # cached
    now[0] = 500  # half its life: time for a new one
    answers[:] = [ServiceError(grpc.StatusCode.UNAVAILABLE, "IAM down")]
    assert creds.metadata() == (("authorization", "Bearer t1.a"),)  # still valid: carry on with it
    now[0] = 945
    answers[:] = [ServiceError(grpc.StatusCode.UNAVAILABLE, "IAM down")]
    with pytest.raises(ServiceError, match="IAM down"):  # too close to expiry to risk it
        creds.metadata()
    answers[:] = ["t1.b"]
    assert creds.renew() and creds.metadata() == (("authorization", "Bearer t1.b"),)
    assert "PRIVATE" not in repr(creds)


def test_concurrent_callers_share_one_exchange(sa):
    key, _ = sa
    calls = []

    def exchange(k, at):
        calls.append(at)
        return IssuedToken("t1.x", at, at + 3600)

    creds = ServiceAccountCredentials(key, exchange)
    threads = [threading.Thread(target=creds.metadata) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1


# --- Object Storage names -----------------------------------------------------------------------


def test_object_names_and_links():
    key = object_key("stt-tui/", "ab" * 32, "pcm")
    assert key == f"stt-tui/{'ab' * 32}.pcm"
    assert object_key("", "cd", "opus") == "cd.opus"
    uri = object_uri("https://storage.yandexcloud.net", "speech", "a b/c.pcm")
    assert uri == "https://storage.yandexcloud.net/speech/a%20b/c.pcm"
    base = "https://storage.yandexcloud.net"
    assert parse_object_uri(uri, base) == ("speech", "a b/c.pcm")
    assert parse_object_uri(f"{base}/speech/k.pcm?X-Amz-Signature=abc", base) == ("speech", "k.pcm")
    assert parse_object_uri("https://speech.storage.yandexcloud.net/k.pcm", base) == ("speech", "k.pcm")
    for other in (
        "http://storage.yandexcloud.net/b/k",
        "https://example.com/b/k",
        f"{base}/b",
        "file:///b/k",
    ):
        assert parse_object_uri(other, base) is None


def test_plaintext_storage_only_on_this_machine():
    check_endpoint("https://storage.yandexcloud.net")
    check_endpoint("http://127.0.0.1:8333")
    with pytest.raises(StorageError, match="without TLS"):
        check_endpoint("http://storage.yandexcloud.net")
    with pytest.raises(StorageError, match="not an http"):
        check_endpoint("storage.yandexcloud.net")
