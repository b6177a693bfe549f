"""faster-whisper's BatchedInferencePipeline against the plain transcribe the engine uses, on this machine.

The default model with the engine's settings (int8, beam 5, VAD, word timestamps), in this process: the
100 s clip alone, then the whole English set; time and WER for each way and batch size.

    python bench/batched.py [--batch 4 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import jiwer
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.audio_helpers import clip, manifest, normalize, read_pcm, resample  # noqa: E402

from stt_tui.engine.models import model_source  # noqa: E402


def samples(path: Path) -> np.ndarray:
    """Mono float32 at 16 kHz, as the engine hands audio to the model."""
    pcm, rate = read_pcm(path)
    if rate != 16000:
        pcm = resample(pcm, rate, 16000)
    return pcm.mean(axis=1).astype(np.float32) / 32768.0


def run(transcribe, clips) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    refs, hyps, took = [], [], 0.0
    for c in clips:
        audio = samples(c.path)
        t = time.perf_counter()
        segments, _ = transcribe(audio)
        text = " ".join(s.text for s in segments)
        took += time.perf_counter() - t
        refs.append(normalize(c.reference))
        hyps.append(normalize(text))
    return took, jiwer.wer(refs, hyps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, nargs="+", default=[4, 8])
    args = parser.parse_args()
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    source, name = model_source(None, Path(tempfile.mkdtemp(prefix="sttbatch")))
    model = WhisperModel(source, device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True)
    settings = {"language": "en", "beam_size": 5, "word_timestamps": True, "vad_filter": True}
    ways = {"transcribe": lambda audio: model.transcribe(audio, condition_on_previous_text=False, **settings)}
    for size in args.batch:
        pipeline = BatchedInferencePipeline(model)
        ways[f"batched ×{size}"] = lambda path, p=pipeline, b=size: p.transcribe(
            path, batch_size=b, **settings
        )
    long_clip = [clip("vosk_lucier.wav")]
    every = manifest(language="en")
    audio = sum(c.seconds for c in every)
    print(f"model {name}; 100 s clip, then {len(every)} English clips ({audio:.0f} s)")
    for label, way in ways.items():
        run(way, [clip("ps_cards_001.wav")])  # warm
        long_took, long_wer = run(way, long_clip)
        all_took, all_wer = run(way, every)
        print(f"{label:14} 100 s clip {long_took:6.2f} s (WER {long_wer:5.1%}) · "
              f"all {all_took:6.2f} s, RTF {all_took / audio:.3f}, WER {all_wer:5.2%}")  # fmt: skip


if __name__ == "__main__":
    main()
