"""API v3 against the engine in strict cloud mode (its own process, TLS, an API key): how long a file
takes to be sent inline, through the bucket, or converted to fit, and what sending costs the client in
memory. Files are a speech clip padded with silence (the engine skips silence: sending dominates).

    python bench/v3.py                  # 10, 30, 59 MB inline; 70 MB through the bucket; 70 MB converted
    python bench/v3.py --sizes 30

Prints per case: the route, submit seconds (probe, hash, prepare, send), seconds until the result is
stored, the client's peak RSS growth while submitting, and the same file through API v2 and the bucket.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support.cloud_helpers

from bench.upload import PeakRss, rss_bytes  # noqa: E402
from tests.support.cloud_helpers import (  # noqa: E402
    SA_ACCESS_KEY,
    SA_SECRET_KEY,
    SeaweedS3,
    cloud_profile_toml,
    free_port,
    make_ca,
)

from stt_tui.jobs.model import JobState, RequestOptions  # noqa: E402
from stt_tui.service.facade import Service  # noqa: E402
from stt_tui.settings.config import choose_profile, load_config  # noqa: E402
from stt_tui.shared.paths import resolve_paths  # noqa: E402

MB = 1024**2
API_KEY = "AQVNbench-key"
CLIP = Path(__file__).resolve().parents[2] / "shared" / "bench" / "speech" / "ps_cards_003.wav"


def padded_wav(path: Path, size: int) -> Path:
    """The clip at its own rate, then silence up to `size` bytes."""
    with wave.open(str(CLIP)) as src:
        rate, frames = src.getframerate(), src.readframes(src.getnframes())
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
        silence = bytes(MB)
        left = size - 44 - len(frames)
        while left > 0:
            chunk = min(left, MB) & ~1
            w.writeframes(silence[:chunk])
            left -= max(chunk, 2)
    return path


def service(home: Path, port: int, ca: Path, storage: str, api: str, bucket: str) -> Service:
    config = home / "config.toml"
    config.write_text(
        cloud_profile_toml(
            "bench", port, ca, storage, api=api, bucket=bucket, polling="work_seconds_per_audio_minute = 0.05"
        )  # fmt: skip
    )
    paths = resolve_paths(home)
    profile = choose_profile(load_config(paths.config_dir), "bench")
    env = {"YC_API_KEY": API_KEY, "AWS_ACCESS_KEY_ID": SA_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SA_SECRET_KEY}
    return Service.open(paths, profile, env=env)


def run(svc: Service, path: Path) -> tuple[str, float, float, float]:
    before = rss_bytes()
    start = time.perf_counter()
    with PeakRss() as peak:
        job = svc.submit(path, RequestOptions(language="en-US"), again=True)
    submitted = time.perf_counter() - start
    (final,) = svc.wait([job], timeout=900)
    assert final.state == JobState.DONE, final.last_error
    route = "bucket" if job.object_uri else "inline"
    if job.encoding == "OGG_OPUS":
        route += ", converted"
    return route, submitted, time.perf_counter() - start, (peak.peak - before) / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 30, 59, 70], help="WAV sizes in MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="benchv3") as tmp:
        root = Path(tmp)
        ca = make_ca(root / "ca")
        (root / "cert.pem").write_bytes(ca.cert_pem)
        (root / "key.pem").write_bytes(ca.key_pem)
        (root / "keys").write_text(API_KEY + "\n")
        seaweed = SeaweedS3().start()
        port = free_port()
        env = {**os.environ, "AWS_ACCESS_KEY_ID": SA_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SA_SECRET_KEY}
        engine = subprocess.Popen(
            [sys.executable, "-m", "stt_tui", "serve", "--listen", f"127.0.0.1:{port}", "--data-dir",
             str(root / "engine"), "--tls-cert", str(root / "cert.pem"), "--tls-key", str(root / "key.pem"),
             "--cloud", "--api-keys-file", str(root / "keys"), "--storage-endpoint", seaweed.endpoint],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            engine.stdout.readline()  # the address, once it listens
            head = ("file", "api", "route", "submit s", "stored s", "peak RSS +MB")
            print("{:>8}  {:>3}  {:<18} {:>8}  {:>8}  {:>12}".format(*head))
            for size in args.sizes:
                path = padded_wav(root / f"talk{size}.wav", size * MB)
                cases = (
                    [("v3", "speech"), ("v3", ""), ("v2", "speech")]
                    if size > 60
                    else [("v3", ""), ("v2", "speech")]
                )
                for api, bucket in cases:
                    home = root / f"home-{size}-{api}-{bucket or 'none'}"
                    home.mkdir()
                    svc = service(home, port, ca.ca_file, seaweed.endpoint, api, bucket)
                    try:
                        route, submitted, stored, rss = run(svc, path)
                    finally:
                        svc.close()
                    print(
                        f"{size:>5} MB  {api:>3}  {route:<18} {submitted:>8.2f}  {stored:>8.2f}  {rss:>12.0f}"
                    )
                path.unlink()
        finally:
            engine.terminate()
            engine.wait(30)
            seaweed.stop()


if __name__ == "__main__":
    main()
