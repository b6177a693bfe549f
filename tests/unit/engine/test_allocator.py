"""The engine gives freed buffers back: glibc malloc as `stt-tui serve` sets it (engine/allocator.py)."""

from __future__ import annotations

import subprocess
import sys

# A 16 MB buffer freed, then made again and freed: by default glibc raises its mmap threshold to 16 MB after
# the first free, so the second comes from the heap and stays resident (small blocks above it keep the heap
# from being trimmed). The child prints how many MB more it holds at the end than at the start.
CHILD = """
import sys
from pathlib import Path

def anon_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) // 1024

from stt_tui.engine.allocator import give_back, limit_allocator

if sys.argv[1] == "limited":
    assert limit_allocator()
before = anon_mb()
kept = []
for _ in range(3):
    buffer = bytearray(16 << 20)
    del buffer
    kept += [bytearray(1024) for _ in range(100)]
if sys.argv[1] == "trimmed":
    give_back()
print(anon_mb() - before)
"""


def retained_mb(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_a_freed_large_buffer_leaves_the_process_once_the_allocator_is_limited():
    assert retained_mb("default") >= 12  # the mechanism the limit is for: without it the buffer stays
    assert retained_mb("limited") <= 2


def test_what_a_job_left_on_the_heap_is_handed_back_after_it():
    assert retained_mb("trimmed") <= 2
