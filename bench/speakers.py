"""What speaker labeling gets right and what it costs, on conversations made from the shared English clips.

    python bench/speakers.py [--only NAME]

Conversations of two, three and four voices (turns of 2-12 s, gaps of 0.2-0.6 s) and one of two voices
taking turns under 2 s are written as WAV files to a temporary folder (the clips are read from
../shared, never copied into the project). The engine recognizes each as a v3 job does
(recognition.recognized, the allocator limited as `stt-tui serve` has it), in one fresh process without
speaker labeling and in another with it, and prints for each conversation: the share of the recognized
speech time (its words) with the right voice under the best one-to-one mapping of labels to voices, the
voices found, the time labeling added to recognition (timed inside the job), and the peak resident memory
(VmHWM) of each process.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.audio_helpers import SPEECH, read_pcm, resample  # noqa: E402

RATE = 16_000


@dataclass(frozen=True)
class Turn:
    voice: str
    start: float
    end: float


def speech_of(name: str) -> np.ndarray:
    """A shared clip at 16 kHz, float, its leading and trailing silence cut off (50 ms kept)."""
    pcm, rate = read_pcm(SPEECH / name)
    if rate != RATE:
        pcm = resample(pcm, rate, RATE)
    samples = pcm[:, 0].astype(np.float32) / 32768
    frame = RATE // 100
    rms = np.sqrt(np.square(samples[: len(samples) // frame * frame].reshape(-1, frame)).mean(axis=1))
    loud = np.flatnonzero(rms > 0.1 * rms.max())
    first, last = max(loud[0] - 5, 0) * frame, min(loud[-1] + 6, len(rms)) * frame
    return samples[first:last]


def cut(samples: np.ndarray, seconds: Sequence[float]) -> list[np.ndarray]:
    """Turns of about the given lengths from one long clip, each cut at the quietest 50 ms near its end."""
    out, start, frame = [], 0, RATE // 20
    for length in seconds:
        end = start + int(length * RATE)
        if end >= len(samples):
            break
        low = max(start + RATE, end - RATE)
        region = samples[low : end + RATE]
        frames = len(region) // frame
        energy = np.square(region[: frames * frame].reshape(frames, frame)).mean(axis=1)
        end = low + int(np.argmin(energy)) * frame + frame // 2
        out.append(samples[start:end])
        start = end
    return out


def joined(clips: Sequence[np.ndarray], pause: float = 0.3) -> np.ndarray:
    """Clips of one voice as one turn, a short pause between them."""
    gap = np.zeros(int(pause * RATE), dtype=np.float32)
    parts = [part for c in clips for part in (c, gap)][:-1]
    return np.concatenate(parts)


def voices() -> dict[str, list[np.ndarray]]:
    """Each voice's turns, in the order they are taken."""
    spk1 = [speech_of(f"sb_spk1_snt{i}.wav") for i in range(1, 6)]
    spk2 = [speech_of(f"sb_spk2_snt{i}.wav") for i in range(1, 6)]
    librivox = [speech_of(f"ps_librivox_0{n}.wav") for n in (870, 880, 890, 920, 930)]
    lucier = cut(speech_of("vosk_lucier.wav"), [7, 3, 10, 5, 2.5, 8])
    return {
        # Two Harvard-sentence readers of the same corpus; turns of one to three sentences.
        "spk1": [spk1[0], joined(spk1[1:3]), spk1[3], joined(spk1[4:])],
        "spk2": [joined(spk2[:2]), spk2[2], joined(spk2[3:])],
        "librivox": librivox,
        "lucier": lucier,
        "spk2 short": spk2,  # each under 2 s of speech once trimmed
        "cards": [speech_of(f"ps_cards_00{i}.wav") for i in range(1, 5)],
    }


CONVERSATIONS = {
    "two voices": ("spk1", "spk2"),
    "three voices": ("spk1", "spk2", "librivox"),
    "four voices": ("spk1", "spk2", "librivox", "lucier"),
    "two, turns < 2 s": ("cards", "spk2 short"),
}


def conversation(
    names: Sequence[str], turns: int = 0, seed: int = 34, turns_of: dict[str, list[np.ndarray]] | None = None
) -> tuple[np.ndarray, list[Turn]]:
    """The voices (of `turns_of`, else of `voices()`) taking turns round-robin until each has used its
    turns (or `turns` of them); gaps of 0.2-0.6 s."""
    rng = np.random.default_rng(seed)
    turns_of = turns_of or voices()
    queues = {name: list(turns_of[name])[: turns or None] for name in names}
    parts: list[np.ndarray] = []
    truth: list[Turn] = []
    at = 0.0
    while any(queues.values()):
        for name in names:
            if not queues[name]:
                continue
            turn = queues[name].pop(0)
            gap = np.zeros(int(rng.uniform(0.2, 0.6) * RATE), dtype=np.float32)
            at += len(gap) / RATE
            truth.append(Turn(name, at, at + len(turn) / RATE))
            parts += [gap, turn]
            at += len(turn) / RATE
    return np.concatenate(parts), truth


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def true_voice(truth: Sequence[Turn], start: float, end: float) -> str:
    """The voice speaking at a word's middle (the nearest turn's when it falls in a gap)."""
    middle = (start + end) / 2
    return min(
        truth,
        key=lambda t: 0.0 if t.start <= middle <= t.end else min(abs(t.start - middle), abs(t.end - middle)),
    ).voice


def share_right(words: Sequence[tuple[str, float, float]], truth: Sequence[Turn]) -> float:
    """The share of the words' time labeled with the right voice, under the best one-to-one mapping of
    labels to voices (a label left without a voice is wrong throughout). Pure."""
    time: dict[tuple[str, str], float] = {}
    for label, start, end in words:
        key = (label, true_voice(truth, start, end))
        time[key] = time.get(key, 0.0) + (end - start)
    labels = sorted({label for label, _, _ in words})
    names = sorted({t.voice for t in truth})
    total = sum(time.values())
    if not total:
        return 0.0
    best = 0.0
    slots = names + [""] * max(0, len(labels) - len(names))
    for chosen in itertools.permutations(slots, len(labels)):
        best = max(
            best, sum(time.get((label, name), 0.0) for label, name in zip(labels, chosen, strict=True))
        )
    return best / total


def peak_mb() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmHWM"].split()[0]) / 1024


def child(folder: Path, labeling: bool, only: str | None, naming: bool = False) -> None:
    """Recognize every conversation as the engine does; one JSON line of figures per conversation."""
    from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
    from stt_tui.engine import allocator, recognition
    from stt_tui.engine.models import model_source
    from stt_tui.engine.recognition import recognized
    from stt_tui.engine.recognizer import Utterance, WhisperRecognizer
    from stt_tui.engine.speakers import MAX_SPEAKERS
    from stt_tui.engine.validation import AcceptedSpec
    from stt_tui.engine.validation_v3 import check_recognize_file
    from stt_tui.voiceprint.encoder import SpeakerEncoder

    allocator.limit_allocator()  # as `stt-tui serve` runs
    # The time labeling adds is timed where it is spent: recognition's own time varies more than that
    # between two runs on a shared machine.
    spent = [0.0]
    label = recognition.label_speakers

    def timed_labeling(*args: Any) -> list[tuple[int, Utterance]]:
        started = time.perf_counter()
        try:
            return label(*args)
        finally:
            spent[0] += time.perf_counter() - started

    recognition.label_speakers = timed_labeling
    recognizer = WhisperRecognizer(*model_source(None, folder / "engine"))
    encoder = SpeakerEncoder()

    def spec_with(labeling: bool) -> AcceptedSpec:
        request = v3.RecognizeFileRequest(
            recognition_model=v3.RecognitionModelOptions(
                audio_format=v3.AudioFormatOptions(
                    container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV)
                ),
                language_restriction=v3.LanguageRestrictionOptions(
                    restriction_type=v3.LanguageRestrictionOptions.WHITELIST, language_code=["en-US"]
                ),
            ),
            speaker_labeling=v3.SpeakerLabelingOptions(speaker_labeling=1 if labeling else 2),
        )
        return check_recognize_file(request)

    def timed_run(path: Path, spec: AcceptedSpec) -> tuple[list[tuple[int, Utterance]], float]:
        started = time.perf_counter()
        timed = recognized(path, spec, recognizer, speakers=encoder, max_speakers=MAX_SPEAKERS)
        seconds = time.perf_counter() - started
        allocator.give_back()
        return timed, seconds

    if naming:
        from bench.naming import child_naming

        labeled = spec_with(True)
        child_naming(folder, recognizer, encoder, lambda path: timed_run(path, labeled)[0])
        print(json.dumps({"name": "naming", "peak": peak_mb()}), flush=True)
        return
    for name in CONVERSATIONS:
        if only and name != only:
            continue
        truth = [Turn(**t) for t in json.loads((folder / f"{name}.json").read_text())]
        path = folder / f"{name}.wav"
        spent[0] = 0.0
        timed, seconds = timed_run(path, spec_with(labeling))
        plain = seconds - spent[0]
        words = [(str(label), w.start, w.end) for label, utt in timed for w in utt.words]
        print(json.dumps({
            "name": name, "seconds": seconds, "plain": plain, "right": share_right(words, truth),
            "found": len({label for label, _, _ in words}), "voices": len({t.voice for t in truth}),
            "audio": truth[-1].end, "peak": peak_mb(),
        }), flush=True)  # fmt: skip


def run(folder: Path, labeling: bool, only: str | None, naming: bool = False) -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(folder), *(["--labeling"] if labeling else []),
         *(["--only", only] if only else []), *(["--naming"] if naming else [])],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return {row.get("name", "voices"): row for row in rows}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=list(CONVERSATIONS), help="one conversation")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--labeling", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--naming", action="store_true", help="only the naming part (bench/naming.py)")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.labeling, args.only, args.naming)
        return 0
    if args.naming:
        return naming()
    with tempfile.TemporaryDirectory(prefix="sttspk") as tmp:
        folder = Path(tmp)
        for name, names in CONVERSATIONS.items():
            samples, truth = conversation(names)
            write_wav(folder / f"{name}.wav", samples)
            (folder / f"{name}.json").write_text(json.dumps([t.__dict__ for t in truth]))
        plain = run(folder, False, args.only)
        labeled = run(folder, True, args.only)
    print(f"{'conversation':18} {'audio':>6} {'voices':>6} {'found':>5} {'right':>6} {'plain':>6} "
          f"{'labeled':>7} {'added':>6} {'peak plain':>10} {'peak labeled':>12}")  # fmt: skip
    for name, row in labeled.items():
        base = plain[name]
        added = (row["seconds"] - row["plain"]) / row["plain"]
        print(f"{name:18} {row['audio']:5.1f}s {row['voices']:6d} {row['found']:5d} {row['right']:6.1%} "
              f"{row['plain']:5.1f}s {row['seconds']:6.1f}s {added:+6.0%} {base['peak']:9.0f}M "
              f"{row['peak']:11.0f}M")  # fmt: skip
    print(
        "(right: share of the recognized words' time with the right voice, best mapping of labels to voices; "
        "peak: VmHWM of the engine's process after the conversations so far)"
    )
    return 0 if args.only else naming()


def naming() -> int:
    """Voices named in one conversation, recognized in another (bench/naming.py)."""
    from bench.naming import report, write

    with tempfile.TemporaryDirectory(prefix="sttname") as tmp:
        folder = Path(tmp)
        write(folder, conversation, write_wav)
        rows = run(folder, True, None, naming=True)
    report(rows["voices"])
    peak = rows["naming"]["peak"]
    print(f"peak RSS of the process recognizing and labeling the 6 conversations: {peak:.0f}M")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
