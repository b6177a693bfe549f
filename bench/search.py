"""Searching every transcript, beside grep: a history of N stored results of about K KB of text each,
the time to build its index, 20 queries (median and max to the first results), and `grep -ri` over the
same text written as files, in one run.

    python bench/search.py [--jobs 10000] [--text-kb 10]

Goals (issue 20): first results in at most 50 ms, at least 20 times faster than grep, and the index at
most the text's size again.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bench.make_history import make_history  # noqa: E402

from stt_tui.history import History  # noqa: E402
from stt_tui.history.search import parse_query  # noqa: E402
from stt_tui.outputs.export import utterances  # noqa: E402
from stt_tui.service.indexing import build_index  # noqa: E402

QUERIES = (
    "zanzibar", "квинтэссенция", "ежик", "photosynth*", '"budget meeting"', '"next year plan"',
    "contract deadline", "договор срок", "отчет", "ёлка зеленый", "decision approve", "счет",
    "travel office", '"team report"', "клиент* ответ", "quarter sales", "question answer",
    "приём неделя", "schedule project", "zanzibar lang:en",
)  # fmt: skip


def index_bytes(path: Path) -> int:
    """What the full-text index itself takes on disk (its FTS5 shadow tables), from SQLite's dbstat."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'phrases_fts%'").fetchone()
        return int(rows[0] or 0)
    finally:
        db.close()


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--text-kb", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sttsearch"))
    try:
        path = work / "history.sqlite3"
        started = time.perf_counter()
        make_history(path, args.jobs, text_kb=args.text_kb)
        print(f"history: {args.jobs:,} jobs written in {time.perf_counter() - started:.1f} s")
        history = History(path)
        texts = work / "texts"
        texts.mkdir()
        text_size = 0
        for job_id in history.unindexed(limit=args.jobs):
            result = history.result(job_id)
            assert result is not None
            text = "\n".join(u.text for u in utterances(result.document()))
            (texts / f"{job_id}.txt").write_text(text)
            text_size += len(text.encode())
        stored = history.index_counts()[1]
        print(f"text: {stored:,} transcripts, {text_size / 2**20:.1f} MB")
        started = time.perf_counter()
        build_index(history)
        built = time.perf_counter() - started
        size = index_bytes(path)
        print(f"index: built in {built:.1f} s ({stored / built:,.0f} transcripts/s); {size / 2**20:.1f} MB, "
              f"{size / text_size:.2f}x the text")  # fmt: skip
        ours, theirs, first = [], [], []
        for q in QUERIES:
            query = parse_query(q)
            t = time.perf_counter()
            history.search(query, 20, ranked=False)  # what the UI shows at once
            first.append(time.perf_counter() - t)
            t = time.perf_counter()
            hits = history.search(query, 20)
            ours.append(time.perf_counter() - t)
            grep_words = [w.strip('"').rstrip("*") for w in q.split() if ":" not in w]
            t = time.perf_counter()
            subprocess.run(["grep", "-ril", grep_words[0], str(texts)], capture_output=True, check=False)
            theirs.append(time.perf_counter() - t)
            ms, grep_ms, at_once = ours[-1] * 1000, theirs[-1] * 1000, first[-1] * 1000
            timing = f"first {at_once:6.1f} ms  ranked {ms:6.1f} ms  grep {grep_ms:6.1f} ms"
            print(f"  {q!r:28} {len(hits):>3} hits  {timing}")
        history.close()
        med, worst = statistics.median(ours), max(ours)
        print(f"first results (newest 20): median {statistics.median(first) * 1000:.1f} ms, "
              f"max {max(first) * 1000:.1f} ms")  # fmt: skip
        print(f"ranked (best 20): median {med * 1000:.1f} ms, max {worst * 1000:.1f} ms")
        print(f"grep -ri: median {statistics.median(theirs) * 1000:.0f} ms, max {max(theirs) * 1000:.0f} ms; "
              f"{statistics.median(theirs) / statistics.median(first):.0f}x the first results' time at the "
              f"median, {statistics.median(theirs) / med:.1f}x the ranked results'")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
