"""What the engine's memory goes to: the model itself, and what recognition adds on top.

    python bench/engine_memory.py [--minutes 10]

In a fresh process per allocator setting (glibc's defaults; as `stt-tui serve` sets it, engine/allocator.py),
prints the resident memory after the imports, after the base model is loaded (and the peak while it is
converted to int8), the peak and the resident memory after the shared English set (one job at a time,
the heap trimmed after each as the engine's workers do), and the peak of one long recording (the longest
clip repeated to --minutes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def memory_mb() -> tuple[float, float]:
    """(resident, peak resident) of this process, MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def child(limited: bool, minutes: float) -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from tests.support.audio_helpers import SHARED, manifest, service_pcm

    from stt_tui.engine import allocator
    from stt_tui.engine.models import model_source
    from stt_tui.engine.recognizer import WhisperRecognizer

    if limited:
        allocator.limit_allocator()
    figures: dict[str, float] = {}
    figures["imports"] = memory_mb()[0]
    import tempfile

    source, name = model_source("base", Path(tempfile.mkdtemp(prefix="sttmem")))
    recognizer = WhisperRecognizer(source, name)
    figures["model"], figures["load_peak"] = memory_mb()

    def samples(path: Path) -> np.ndarray | None:
        pcm, rate, channels = service_pcm(path)
        if rate != 16_000:  # the engine resamples those in decode.py; here they are left out
            return None
        return np.frombuffer(pcm, dtype=np.int16).reshape(-1, channels)[:, 0].astype(np.float32) / 32768

    clips = [c for c in manifest(SHARED / "bench" / "speech", language="en") if samples(c.path) is not None]
    started = time.perf_counter()
    for clip in clips:
        audio = samples(clip.path)
        assert audio is not None
        list(recognizer.transcribe(audio, "en-US"))
        if limited:
            allocator.give_back()
    figures["set_seconds"] = time.perf_counter() - started
    figures["clips"] = len(clips)
    figures["set_after"], figures["set_peak"] = memory_mb()
    longest = max(clips, key=lambda c: c.seconds)
    one = samples(longest.path)
    assert one is not None
    long = np.tile(one, max(1, round(minutes * 60 * 16_000 / len(one))))
    list(recognizer.transcribe(long, "en-US"))
    figures["long_minutes"] = len(long) / 16_000 / 60
    figures["long_peak"] = memory_mb()[1]
    print(json.dumps(figures))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the long recording")
    parser.add_argument("--child", choices=["default", "limited"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child == "limited", args.minutes)
        return 0
    print(f"{'malloc':8} {'imports':>8} {'model':>6} {'load peak':>9} {'set peak':>8} {'set after':>9} "
          f"{'set time':>8} {'long peak':>9}")  # fmt: skip
    for mode in ("default", "limited"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--minutes", str(args.minutes)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        f = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{mode:8} {f['imports']:7.0f}M {f['model']:5.0f}M {f['load_peak']:8.0f}M "
              f"{f['set_peak']:7.0f}M {f['set_after']:8.0f}M {f['set_seconds']:7.1f}s "
              f"{f['long_peak']:8.0f}M")  # fmt: skip
    print(
        f"(model: resident once loaded, imports included; set: {f['clips']:.0f} 16 kHz clips; "
        f"long: {f['long_minutes']:.1f} min of speech)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
