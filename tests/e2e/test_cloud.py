"""The cloud profile end to end, against the engine in strict cloud mode and a real S3 server.

Nothing is mocked but the cloud's addresses: TLS with a test CA, API keys and IAM tokens checked by
the engine, audio uploaded to SeaweedFS and read back from it by the engine.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import grpc
import pytest

from stt_tui.api import ServiceError
from stt_tui.connection.storage import StorageError
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.service.errors import QuotaExceeded
from tests.support.audio_helpers import clip, normalize
from tests.support.cloud_helpers import BUCKET, SA_SECRET_KEY, clean_env
from tests.support.cloud_rig import API_KEY, PROFILE
from tests.support.homes import STT_TUI

CARDS = clip("ps_cards_003.wav")  # "seven of clubs", 1.6 s
OPTIONS = RequestOptions(language="en-US", model="general", raw_results=True)


def text_of(service, job) -> str:
    return normalize(service.export(service.history.get(job.id), "txt"))


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_full_cloud_path_tls_api_key_upload_submit_poll_store_delete(rig, seaweed):
    service = rig.service()
    progress: list[tuple[str, float]] = []
    try:
        job = service.submit(CARDS.path, OPTIONS, lambda stage, f: progress.append((stage, f)), again=True)
        key = f"jobs/{sha256(CARDS.path)}.pcm"
        # Uploaded as raw LPCM under its content hash, and submitted by the object's path-style link.
        assert job.object_uri == f"https://storage.yandexcloud.net/{BUCKET}/{key}"
        assert key in seaweed.object_keys()
        assert seaweed.admin().head_object(Bucket=BUCKET, Key=key)["ContentType"] == "audio/L16"
        uploads = [f for stage, f in progress if stage == "uploading"]
        assert uploads and uploads[-1] == 1.0 and uploads == sorted(uploads)
        assert job.state == JobState.RUNNING and job.operation_id
        # The service reads the bucket: the local prepared copy is not kept.
        assert job.payload_path and not (rig.home / "outbox" / f"{sha256(CARDS.path)}.pcm").exists()

        (final,) = service.wait([job], timeout=120)
        assert final.state == JobState.DONE, final.last_error
        assert text_of(service, final) == "seven of clubs"
        # The result is stored locally, so the object is deleted and forgotten.
        assert final.object_uri is None
        assert key not in seaweed.object_keys()
    finally:
        service.close()
    # No secret reached the history.
    stored = b"".join(p.read_bytes() for p in rig.home.glob("history.sqlite3*"))
    for secret in (API_KEY, SA_SECRET_KEY):
        assert secret.encode() not in stored


def test_a_converted_file_is_uploaded_as_ogg_opus(rig, seaweed, tmp_path):
    from tests.support.audio_helpers import encode, read_pcm

    samples, rate = read_pcm(CARDS.path)
    flac = tmp_path / "cards.flac"
    flac.write_bytes(encode(samples, rate, "flac", "flac"))
    service = rig.service()
    try:
        job = service.submit(flac, OPTIONS)
        key = f"jobs/{sha256(flac)}.opus"
        assert job.encoding == "OGG_OPUS" and job.object_uri.endswith(key)
        assert seaweed.admin().head_object(Bucket=BUCKET, Key=key)["ContentType"] == "audio/ogg"
        (final,) = service.wait([job], timeout=120)
        assert final.state == JobState.DONE and text_of(service, final) == "seven of clubs"
    finally:
        service.close()


def test_the_same_file_is_uploaded_once(rig, seaweed):
    service = rig.service()
    try:
        first = service.submit(CARDS.path, OPTIONS, again=True)
        uploads: list[float] = []
        second = service.submit(
            CARDS.path,
            OPTIONS,
            lambda stage, f: uploads.append(f) if stage == "uploading" else None,
            again=True,  # the same audio on purpose: what is tested is that it is not uploaded twice
        )
        assert second.object_uri == first.object_uri
        assert uploads == [1.0]  # found in the bucket under its hash: not sent again
        done = service.wait([first, second], timeout=120)
        assert [j.state for j in done] == [JobState.DONE, JobState.DONE]
        # Deleted only once no job needs it any more.
        assert not [k for k in seaweed.object_keys() if k.startswith("jobs/")]
    finally:
        service.close()


def cli(rig, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [STT_TUI, "--home", str(rig.home), "--profile", PROFILE, *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=clean_env(**(rig.env if env is None else env)),
    )


def test_a_wrong_api_key_is_one_unauthenticated_sentence(rig):
    wrong = "AQVNwrong-key-0000000000000000000000000"
    result = cli(rig, "submit", "--again", str(CARDS.path), env={**rig.env, "YC_API_KEY": wrong})
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "rejected the credentials" in lines[0] and "API key or IAM token is wrong" in lines[0]
    assert wrong not in result.stderr and API_KEY not in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_credentials_say_what_to_set(rig):
    result = cli(rig, "submit", "--again", str(CARDS.path), env={})
    assert result.returncode == 2
    assert "has no credentials" in result.stderr and "YC_API_KEY" in result.stderr


def test_a_missing_bucket_is_one_sentence_and_no_job(rig):
    rig.write_config(bucket="no-such-bucket")
    result = cli(rig, "submit", "--again", str(CARDS.path))
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "The bucket 'no-such-bucket' does not exist" in result.stderr
    jobs = cli(rig, "jobs", "--json")
    assert jobs.returncode == 0 and jobs.stdout.strip() == "[]"


def test_a_wrong_static_key_is_one_sentence(rig):
    env = {**rig.env, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    result = cli(rig, "submit", "--again", str(CARDS.path), env=env)
    assert result.returncode == 3
    assert "rejected the static access key" in result.stderr
    assert "not-the-secret" not in result.stderr


def test_a_key_without_write_access_is_told_the_role_it_needs(rig):
    from tests.support.cloud_helpers import VIEWER_ACCESS_KEY, VIEWER_SECRET_KEY

    env = {**rig.env, "AWS_ACCESS_KEY_ID": VIEWER_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": VIEWER_SECRET_KEY}
    result = cli(rig, "submit", "--again", str(CARDS.path), env=env)
    assert result.returncode == 3
    assert "Access denied by Object Storage, could not upload" in result.stderr
    assert "needs storage.uploader" in result.stderr


@pytest.mark.parametrize("rig", [{"checks_per_window": 2, "quota_window": 3.0}], indirect=True)
def test_quota_exhausted_pauses_polling_then_resumes(rig):
    service = rig.service()
    seen_errors: list[str] = []
    try:
        jobs = [service.submit(CARDS.path, OPTIONS, again=True) for _ in range(3)]
        final = service.wait(jobs, timeout=120, on_update=lambda j: seen_errors.append(j.last_error or ""))
        assert [j.state for j in final] == [JobState.DONE] * 3
        # The engine refused some checks; polling paused instead of failing the jobs, then went on.
        assert any(e.startswith("Quota exceeded") for e in seen_errors), seen_errors
        assert service.history.pause(PROFILE)[1] == 0  # the strikes are cleared by the next success
    finally:
        service.close()


@pytest.mark.parametrize("rig", [{"requests_per_window": 1, "quota_window": 3600.0}], indirect=True)
def test_resource_exhausted_at_submit_fails_the_job_but_keeps_the_file(rig, seaweed):
    service = rig.service()
    try:
        service.submit(CARDS.path, OPTIONS, again=True)
        with pytest.raises(ServiceError) as info:
            service.submit(CARDS.path, OPTIONS, again=True)
        assert info.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert str(info.value).startswith("Quota exceeded")
        failed = service.history.jobs()[0]
        assert failed.state == JobState.FAILED and failed.last_error.startswith("Quota exceeded")
        assert CARDS.path.exists()
    finally:
        service.close()


def test_the_client_keeps_to_the_hourly_request_quota(rig, seaweed):
    rig.write_config(extra="requests_per_hour = 1")
    service = rig.service()
    try:
        service.submit(CARDS.path, OPTIONS, again=True)
        before = len(service.history.jobs())
        with pytest.raises(QuotaExceeded) as info:
            service.submit(CARDS.path, OPTIONS, again=True)
        assert "hourly quota of 1 recognition requests is used up" in str(info.value)
        assert len(service.history.jobs()) == before  # refused before any row or upload
    finally:
        service.close()
    result = cli(rig, "submit", "--again", str(CARDS.path))
    assert result.returncode == 3 and "quota of 1 recognition requests" in result.stderr


@pytest.mark.parametrize("rig", [{"token_lifetime": 2.0}], indirect=True)
def test_an_expiring_iam_token_is_renewed_unseen(rig, sa_key_file):
    rig.write_config(extra=f'service_account_key_file = "{sa_key_file}"')
    service = rig.service(env=rig.env)
    errors: list[str] = []
    try:
        job = service.submit(CARDS.path, OPTIONS, again=True)
        with service.backend.client() as client:
            credentials = client.credentials
        assert credentials.exchanges == 1
        # Tokens live 2 s: by the time the job is polled a fresh one has been fetched before expiry.
        (final,) = service.wait([job], timeout=120, on_update=lambda j: errors.append(j.last_error or ""))
        assert final.state == JobState.DONE
        # Restarting the engine forgets every token it issued: the next call is refused once, a new
        # token is fetched and the call made again, and the user sees nothing.
        job = service.submit(CARDS.path, OPTIONS, again=True)
        rig.stop_engine()
        rig.start_engine()
        before = credentials.exchanges
        (final,) = service.wait([job], timeout=120, on_update=lambda j: errors.append(j.last_error or ""))
        assert final.state == JobState.DONE
        assert credentials.exchanges > before
        assert errors and not any(errors), errors
        assert rig.server.issuer.issued >= 1
    finally:
        service.close()


def test_the_engine_refuses_inline_audio_and_local_files_in_cloud_mode(rig):
    from stt_tui.api import ApiKey, ChannelSettings, Endpoints, SpeechKitClient
    from tests.support.audio_helpers import lpcm_request, service_pcm

    pcm, rate, channels = service_pcm(CARDS.path)
    settings = ChannelSettings(
        f"localhost:{rig.port}", tls=True, root_certificates=rig.test_ca.ca_file.read_bytes()
    )
    with SpeechKitClient(Endpoints.single(settings), credentials=ApiKey(API_KEY)) as client:
        with pytest.raises(ServiceError) as info:
            client.recognize(lpcm_request(pcm, rate, channels))
        assert info.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert "upload the audio to Object Storage" in str(info.value)
        request = lpcm_request(pcm, rate, channels)
        request.audio.uri = CARDS.path.as_uri()
        with pytest.raises(ServiceError) as info:
            client.recognize(request)
        assert "must be an Object Storage link" in str(info.value)
        request.audio.uri = f"https://storage.yandexcloud.net/{BUCKET}/jobs/nothing-here.pcm"
        with pytest.raises(ServiceError) as info:
            client.recognize(request)
        assert "does not exist" in str(info.value)
    with SpeechKitClient(Endpoints.single(settings)) as anonymous, pytest.raises(ServiceError) as info:
        anonymous.get_operation("e03anything")
    assert info.value.code == grpc.StatusCode.UNAUTHENTICATED


def test_plaintext_to_the_tls_engine_fails_with_a_sentence(rig):
    from stt_tui.api import ApiKey, ChannelSettings, Endpoints, SpeechKitClient

    settings = ChannelSettings(f"127.0.0.1:{rig.port}", tls=False, retry_attempts=1)
    client = SpeechKitClient(Endpoints.single(settings), credentials=ApiKey(API_KEY), timeout=3)
    with client, pytest.raises(ServiceError) as info:
        client.get_operation("e03anything")
    assert info.value.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_an_untrusted_certificate_is_refused(rig):
    from stt_tui.api import ApiKey, ChannelSettings, Endpoints, SpeechKitClient

    settings = ChannelSettings(f"localhost:{rig.port}", tls=True, retry_attempts=1)  # system roots only
    client = SpeechKitClient(Endpoints.single(settings), credentials=ApiKey(API_KEY), timeout=5)
    with client, pytest.raises(ServiceError) as info:
        client.get_operation("e03anything")
    assert info.value.code == grpc.StatusCode.UNAVAILABLE


def test_storage_errors_never_quote_the_secret(rig):
    from stt_tui.connection.storage import ObjectStore

    store = ObjectStore(rig.service().profile.storage, "YCAJEtestaccesskey01", "wrong-secret-value")
    with pytest.raises(StorageError) as info:
        store.upload(CARDS.path, "jobs/x.pcm", lambda *_: None)
    assert "wrong-secret-value" not in str(info.value)


def test_a_multipart_upload_arrives_whole(seaweed, tmp_path):
    import os

    from stt_tui.connection.storage import PART_BYTES, ObjectStore
    from stt_tui.settings.config import Storage
    from tests.support.cloud_helpers import SA_ACCESS_KEY

    path = tmp_path / "big.pcm"
    path.write_bytes(os.urandom(2 * PART_BYTES + 12345))  # three parts
    store = ObjectStore(
        Storage(bucket=BUCKET, prefix="t/", endpoint=seaweed.endpoint), SA_ACCESS_KEY, SA_SECRET_KEY
    )
    seen: list[float] = []
    uri = store.upload(path, "t/big.pcm", lambda stage, f: seen.append(f))
    assert uri == f"https://storage.yandexcloud.net/{BUCKET}/t/big.pcm"
    body = seaweed.admin().get_object(Bucket=BUCKET, Key="t/big.pcm")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == sha256(path)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 3
    store.delete("t/big.pcm")
    assert store.size_of("t/big.pcm") is None


def test_serve_runs_the_strict_cloud_mode_from_the_command_line(short_tmp, test_ca, seaweed, sa_key_file):
    from stt_tui.api import ApiKey, ChannelSettings, Endpoints, SpeechKitClient
    from tests.support.cloud_helpers import SA_ACCESS_KEY

    cert, key, keys = short_tmp / "cert.pem", short_tmp / "key.pem", short_tmp / "api-keys"
    cert.write_bytes(test_ca.cert_pem)
    key.write_bytes(test_ca.key_pem)
    keys.write_text(f"{API_KEY}\n")
    env = clean_env(AWS_ACCESS_KEY_ID=SA_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SA_SECRET_KEY)
    args = [STT_TUI, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(short_tmp / "d"), "--cloud"]
    args += ["--tls-cert", str(cert), "--tls-key", str(key), "--api-keys-file", str(keys)]
    args += ["--service-account-key", str(sa_key_file), "--storage-endpoint", seaweed.endpoint]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on 127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        port = line.rsplit(":", 1)[1]
        settings = ChannelSettings(
            f"localhost:{port}", tls=True, root_certificates=test_ca.ca_file.read_bytes()
        )
        with SpeechKitClient(Endpoints.single(settings), credentials=ApiKey(API_KEY)) as client:
            with pytest.raises(ServiceError) as info:
                client.get_operation("e03unknown")
            assert info.value.code == grpc.StatusCode.NOT_FOUND  # let in, and told the id is unknown
        with SpeechKitClient(Endpoints.single(settings)) as client, pytest.raises(ServiceError) as info:
            client.get_operation("e03unknown")
        assert info.value.code == grpc.StatusCode.UNAUTHENTICATED
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    log = proc.stderr.read()
    assert API_KEY not in log and SA_SECRET_KEY not in log


def test_serve_refuses_a_cloud_mode_nobody_could_use(short_tmp):
    result = subprocess.run(
        [
            STT_TUI,
            "serve",
            "--data-dir",
            str(short_tmp / "d"),
            "--cloud",
            "--storage-endpoint",
            "http://127.0.0.1:1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "needs --api-keys-file or --service-account-key" in result.stderr


def test_profiles_lists_where_credentials_come_from_without_secrets(rig):
    result = cli(rig, "profiles")
    assert result.returncode == 0, result.stderr
    assert f"{PROFILE}: localhost:{rig.port}" in result.stdout
    assert "api key from $YC_API_KEY" in result.stdout and "static access key" not in result.stdout
    assert API_KEY not in result.stdout and SA_SECRET_KEY not in result.stdout
    assert "yandex: stt.api.cloud.yandex.net:443" in result.stdout  # API v3
    rows = json.loads(cli(rig, "--json", "profiles").stdout)
    assert {r["name"] for r in rows} == {"local", "yandex", PROFILE}
    template = subprocess.run([STT_TUI, "profiles", "--template"], capture_output=True, text=True, timeout=60)
    assert "[profiles.yandex.storage]" in template.stdout


def test_a_bucket_that_refuses_deletion_is_warned_about_once(rig, seaweed, tmp_path):
    from stt_tui.connection.storage import ObjectStore
    from tests.support.cloud_helpers import VIEWER_ACCESS_KEY, VIEWER_SECRET_KEY

    warnings: list[str] = []
    service = rig.service(warn=warnings.append)
    try:
        other = tmp_path / "again.wav"
        other.write_bytes(CARDS.path.read_bytes() + b"\0\0")  # another hash: another object
        jobs = [service.submit(CARDS.path, OPTIONS, again=True), service.submit(other, OPTIONS)]
        # From here on the store's key may read but not delete, like the storage.uploader role.
        service.backend.use_store(ObjectStore(service.profile.storage, VIEWER_ACCESS_KEY, VIEWER_SECRET_KEY))
        done = service.wait(jobs, timeout=120)
        assert [j.state for j in done] == [JobState.DONE, JobState.DONE]
        assert len(warnings) == 1, warnings
        assert "needs storage.editor" in warnings[0] and "delete_after_result = false" in warnings[0]
        # Nothing lost: the objects stay, and the jobs still say where.
        assert all(j.object_uri for j in done)
        assert len([k for k in seaweed.object_keys() if k.startswith("jobs/")]) == 2
    finally:
        service.close()
        for key in seaweed.object_keys():  # the server is shared by the session's tests
            seaweed.admin().delete_object(Bucket=BUCKET, Key=key)


def test_a_job_of_another_profile_is_not_asked_about_here(rig):
    service = rig.service()
    try:
        job = service.submit(CARDS.path, OPTIONS, again=True)
    finally:
        service.close()
    for args in (["wait", str(job.id)], ["cancel", str(job.id)]):
        result = subprocess.run(
            [STT_TUI, "--home", str(rig.home), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=clean_env(),
        )
        assert result.returncode == 2
        assert f"Job #{job.id} belongs to the {PROFILE} profile" in result.stderr
    (done,) = json.loads(cli(rig, "--json", "wait", str(job.id), "--timeout", "120").stdout)
    assert done["state"] == "done"


def test_stopping_during_the_upload_fails_the_job_and_leaves_nothing(rig, seaweed, tmp_path):
    import wave

    class Stop(Exception):
        pass

    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:  # 40 MB of 48 kHz silence: three parts
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(bytes(40 * 2**20))

    def progress(stage: str, fraction: float) -> None:
        if stage == "uploading" and fraction > 0.2:
            raise Stop  # what the app does when it quits mid-upload

    service = rig.service()
    try:
        with pytest.raises(Stop):
            service.submit(path, OPTIONS, progress)
        (job,) = service.history.jobs()
        assert job.state == JobState.FAILED and job.last_error == "Interrupted while uploading the audio."
        assert not [k for k in seaweed.object_keys() if k.startswith("jobs/")]
        assert not seaweed.admin().list_multipart_uploads(Bucket=BUCKET).get("Uploads")
        assert not Path(job.payload_path).exists()
    finally:
        service.close()
