"""Build a realistic history through the project's own history module: mixed states, stored results,
several profiles, a spread of files, languages and lengths.

    python bench/make_history.py --jobs 100000 --home DIR

Most jobs are done with a small stored result; some failed, expired or cancelled; a few still running
(not due during a bench). Used by bench/tui_startup.py and the tmux test of a large history.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as stt
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api.operations import operation_to_json
from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions

PROFILES = ("local", "local", "local", "yandex", "yandex-kz")
LANGUAGES = ("en-US", "ru-RU", "de-DE", "kk-KZ")
FOLDERS = ("/recordings/2026", "/home/ana/podcasts", "/mnt/card/VOICE", "/data/meetings")


def small_result(n: int) -> str:
    response = stt.LongRunningRecognitionResponse()
    chunk = response.chunks.add(channel_tag=1)
    alt = chunk.alternatives.add(text=f"phrase number {n}", confidence=1)
    for i, word in enumerate(("phrase", "number", str(n))):
        w = alt.words.add(word=word, confidence=1)
        w.start_time.FromNanoseconds(i * 400_000_000)
        w.end_time.FromNanoseconds(i * 400_000_000 + 300_000_000)
    op = operation_pb2.Operation(id=f"e03{n:017d}", done=True)
    op.response.Pack(response)
    return operation_to_json(op)


# Words for transcripts of some size (--text-kb): English and Russian, ё among them, and a few rare
# words a search can look for.
VOCABULARY = (
    "the we budget meeting next year plan team report client contract review quarter sales call "
    "agreed decision schedule project deadline office travel numbers approve question answer "
    "бюджет встреча план команда отчёт клиент договор решение срок проект ещё всё объём счёт "
    "приём вопрос ответ неделя месяц год работа деньги ёлка зелёный"
).split()
RARE = ("zanzibar", "квинтэссенция", "photosynthesis", "ёжик")


def long_result(n: int, text_bytes: int, rand: random.Random) -> str:
    """A stored result holding about `text_bytes` of text, in phrases of ten to twenty words."""
    response = stt.LongRunningRecognitionResponse()
    size, at = 0, 0.0
    while size < text_bytes:
        words = [rand.choice(VOCABULARY) for _ in range(rand.randint(10, 20))]
        if rand.random() < 0.002:
            words[rand.randrange(len(words))] = rand.choice(RARE)
        text = " ".join(words)
        chunk = response.chunks.add(channel_tag=1 + len(response.chunks) % 2)
        alt = chunk.alternatives.add(text=text, confidence=1)
        w = alt.words.add(word=words[0], confidence=1)  # the phrase's time, as the first word's
        w.start_time.FromNanoseconds(int(at * 1e9))
        w.end_time.FromNanoseconds(int((at + 0.4) * 1e9))
        at += 0.35 * len(words)
        size += len(text.encode())
    op = operation_pb2.Operation(id=f"e03{n:017d}", done=True)
    op.response.Pack(response)
    return operation_to_json(op)


def make_history(path: Path, count: int, seed: int = 1, text_kb: int = 0) -> None:
    """`count` jobs in the history at `path`, the newest submitted now, one every 30 s before; with
    `text_kb`, each result holds about that much text (else a phrase)."""
    rand = random.Random(seed)
    history = History(path)
    now = time.time()
    for n in range(count):
        created = now - (count - n) * 30
        options = RequestOptions(language=rand.choice(LANGUAGES), literature_text=n % 3 == 0)
        job = history.add_submitting(
            profile=rand.choice(PROFILES),
            file_path=f"{rand.choice(FOLDERS)}/meeting-{n:06d}.wav",
            options=options,
            audio_seconds=30.0 + rand.random() * 3600,
            channels=1 + n % 2,
        )
        roll = rand.random()
        if roll < 0.04:
            history.set_state(job.id, JobState.FAILED, error="Invalid audio received.")
            continue
        job = history.mark_submitted(job.id, f"e03{n:017d}", created, now + 300, 60.0)  # not due in a bench
        if roll < 0.06:
            history.set_state(job.id, JobState.EXPIRED, error="The service no longer has this result.")
        elif roll < 0.07:
            history.store_result(job.id, small_result(n), state=JobState.CANCELLED, error="Cancelled.")
        elif n < count - 20:  # the newest few are still running
            result = long_result(n, text_kb * 1024, rand) if text_kb else small_result(n)
            history.store_result(job.id, result)
    history.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--text-kb", type=int, default=0, help="about this much text in each result")
    args = parser.parse_args()
    started = time.perf_counter()
    args.home.mkdir(parents=True, exist_ok=True)
    make_history(args.home / "history.sqlite3", args.jobs, args.seed, args.text_kb)
    took = time.perf_counter() - started
    print(f"{args.jobs:,} jobs written to {args.home / 'history.sqlite3'} in {took:.1f} s")


if __name__ == "__main__":
    main()
