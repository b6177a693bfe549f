"""Benchmark the embedded engine over the shared speech sets.

    python bench/engine.py [--set speech|speech_synth|all] [--workers N]

For each installed model (or each --model), starts `stt-tui serve` as its own process, submits every
English clip over gRPC (one at a time, so each job's time is its own) and the Russian clip, and prints
the real-time factor (processing time / audio time), English WER, Russian CER (or the refusal), start-up
time and the engine process's peak resident memory.
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

from tests.support.audio_helpers import SHARED, lpcm_request, manifest, normalize, service_pcm, transcript  # noqa: E402

from stt_tui.api import ChannelSettings, Endpoints, ServiceError, SpeechKitClient  # noqa: E402


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_model(model: str, clips: list, workers: int, verbose: bool) -> dict[str, object]:
    """One engine process with `model`: English RTF and WER, Russian CER (or why not), start-up, peak RSS."""
    data_dir = Path(tempfile.mkdtemp(prefix="sttbench"))
    started = time.perf_counter()
    engine = subprocess.Popen(
        [sys.executable, "-m", "stt_tui", "serve", "--listen", "127.0.0.1:0", "--data-dir", str(data_dir),
         "--workers", str(workers), "--model", model],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    address = engine.stdout.readline().strip().removeprefix("listening on ")
    startup = time.perf_counter() - started
    client = SpeechKitClient(Endpoints.single(ChannelSettings(address)))
    refs, hyps = [], []
    audio_total = work_total = 0.0
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
            if verbose:
                print(f"  {c.path.name:34} {seconds:8.1f} s {work:7.2f} s  RTF {work / seconds:6.3f}  "
                      f"WER {jiwer.wer(ref, hyp):6.1%}")  # fmt: skip
        (ru,) = manifest(SHARED / "bench" / "speech", language="ru")
        pcm, rate, channels = service_pcm(ru.path)
        try:
            op = client.recognize(lpcm_request(pcm, rate, channels, language="ru-RU", raw_results=True))
            while not (state := client.get_operation(op.id)).done:
                time.sleep(0.05)
            russian = f"CER {jiwer.cer(normalize(ru.reference), normalize(transcript(state.response))):.1%}"
        except ServiceError as exc:
            russian = "refused: English only" if "English only" in str(exc) else f"refused: {exc.code.name}"
        peak = peak_rss_mb(engine.pid)
    finally:
        client.close()
        engine.terminate()
        engine.wait(30)
    return {"model": model, "rtf": work_total / audio_total, "wer": jiwer.wer(refs, hyps), "ru": russian,
            "startup": startup, "peak": peak, "audio": audio_total}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=["speech", "speech_synth", "all"], default="speech")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--model", action="append", help="a model (repeatable); default: every installed one")
    parser.add_argument("--verbose", action="store_true", help="a line per clip")
    args = parser.parse_args()
    sets = ["speech", "speech_synth"] if args.set == "all" else [args.set]
    clips = [c for s in sets for c in manifest(SHARED / "bench" / s, language="en")]
    from stt_tui.engine.models import installed_models

    models = args.model or [str(m["name"]) for m in installed_models() if m["installed"]]
    rows = []
    for model in models:
        print(f"{model}: {len(clips)} English clips…", flush=True)
        rows.append(run_model(model, clips, args.workers, args.verbose))
    print()
    print(
        f"{'model':10} {'English RTF':>11} {'English WER':>11}  {'ru-RU':28} {'start-up':>8} {'peak RSS':>8}"
    )
    for r in rows:
        print(f"{r['model']:10} {r['rtf']:11.3f} {r['wer']:11.2%}  {r['ru']:28} {r['startup']:7.2f}s "
              f"{r['peak']:6.0f}MB")  # fmt: skip
    print(f"(English: {len(clips)} clips, {rows[0]['audio']:.0f} s of audio; ru-RU: ds_ru.wav)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
