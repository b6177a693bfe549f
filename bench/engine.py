"""Benchmark the embedded engine over the shared speech sets.

    python bench/engine.py [--set speech|speech_synth|all] [--workers N]

Starts `stt-tui serve` as its own process, submits every English clip over gRPC (one at a time, so
each job's time is its own), and prints per-clip and overall real-time factor (processing time /
audio time), word error rate, start-up time, and the engine process's peak resident memory.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jiwer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.audio_helpers import SHARED, lpcm_request, manifest, normalize, service_pcm, transcript  # noqa: E402

from stt_tui.api import ChannelSettings, Endpoints, SpeechKitClient  # noqa: E402


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=["speech", "speech_synth", "all"], default="speech")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    sets = ["speech", "speech_synth"] if args.set == "all" else [args.set]
    clips = [c for s in sets for c in manifest(SHARED / "bench" / s, language="en")]

    data_dir = Path(tempfile.mkdtemp(prefix="sttbench"))
    started = time.perf_counter()
    engine = subprocess.Popen(
        [sys.executable, "-m", "stt_tui", "serve", "--listen", "127.0.0.1:0", "--data-dir", str(data_dir),
         "--workers", str(args.workers)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    address = engine.stdout.readline().strip().removeprefix("listening on ")
    startup = time.perf_counter() - started
    client = SpeechKitClient(Endpoints.single(ChannelSettings(address)))
    refs, hyps = [], []
    audio_total = work_total = 0.0
    print(f"{'clip':34} {'audio s':>8} {'work s':>7} {'RTF':>6} {'WER':>6}")
    try:
        for c in clips:
            pcm, rate, channels = service_pcm(c.path)
            t0 = time.perf_counter()
            op = client.recognize(lpcm_request(pcm, rate, channels, raw_results=True))
            while not (state := client.get_operation(op.id)).done:
                time.sleep(0.05)
            work = time.perf_counter() - t0
            seconds = len(pcm) / 2 / channels / rate
            ref, hyp = normalize(c.reference), normalize(transcript(state.response))
            refs.append(ref)
            hyps.append(hyp)
            audio_total += seconds
            work_total += work
            wer = jiwer.wer(ref, hyp)
            print(f"{c.path.name:34} {seconds:8.1f} {work:7.2f} {work / seconds:6.3f} {wer:6.1%}")
        peak = peak_rss_mb(engine.pid)
    finally:
        client.close()
        engine.terminate()
        engine.wait(30)
    print()
    print(f"clips: {len(clips)}  audio: {audio_total:.1f} s  processing: {work_total:.1f} s")
    rtf = work_total / audio_total
    print(f"real-time factor: {rtf:.3f}  ({1 / rtf:.1f}x faster than real time)")
    print(f"word error rate: {jiwer.wer(refs, hyps):.2%}")
    print(f"engine start-up (model load, listening): {startup:.2f} s")
    print(f"engine peak RSS: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
