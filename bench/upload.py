"""Upload big files to a real S3 server (SeaweedFS on loopback) the way the cloud profile does, and
show that memory stays flat: peak RSS over the baseline must not grow with the file's size.

    python bench/upload.py              # 100 MB and 500 MB
    python bench/upload.py --sizes 1000

Prints, per size: seconds, throughput, RSS before, peak RSS during, and the growth.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support.cloud_helpers

from tests.support.cloud_helpers import BUCKET, SA_ACCESS_KEY, SA_SECRET_KEY, SeaweedS3  # noqa: E402

from stt_tui.connection.storage import ObjectStore  # noqa: E402
from stt_tui.settings.config import Storage  # noqa: E402

MB = 10**6


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakRss:
    """Samples this process's resident memory every 20 ms while it runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def make_file(path: Path, size: int) -> None:
    """Noise as raw LPCM, written a megabyte at a time."""
    with open(path, "wb") as f:
        written = 0
        while written < size:
            n = min(2**20, size - written)
            f.write(os.urandom(n))
            written += n


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500], help="file sizes in MB")
    args = parser.parse_args()
    server = SeaweedS3().start()
    work = Path(tempfile.mkdtemp(prefix="upload-bench"))
    try:
        store = ObjectStore(
            Storage(bucket=BUCKET, prefix="bench/", endpoint=server.endpoint), SA_ACCESS_KEY, SA_SECRET_KEY
        )
        store.check_bucket()
        print(
            f"{'size':>8} {'seconds':>8} {'MB/s':>7} {'RSS before':>11} {'peak RSS':>9} {'growth':>7}", end=""
        )
        print(f" {'progress calls':>15}")
        for size_mb in args.sizes:
            path = work / f"{size_mb}MB.pcm"
            make_file(path, size_mb * MB)
            calls: list[float] = []
            before = rss_bytes()
            start = time.perf_counter()
            with PeakRss() as peak:
                store.upload(path, f"bench/{size_mb}MB.pcm", lambda stage, f, calls=calls: calls.append(f))
            seconds = time.perf_counter() - start
            stored = store.size_of(f"bench/{size_mb}MB.pcm")
            assert stored == size_mb * MB, (stored, size_mb)
            assert calls[-1] == 1.0
            print(
                f"{size_mb:>6}MB {seconds:>8.1f} {size_mb / seconds:>7.0f} {before / MB:>9.0f}MB "
                f"{peak.peak / MB:>7.0f}MB {(peak.peak - before) / MB:>5.0f}MB {len(calls):>15}"
            )
            store.delete(f"bench/{size_mb}MB.pcm")
            path.unlink()
    finally:
        server.stop()
        for p in work.glob("*"):
            p.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
