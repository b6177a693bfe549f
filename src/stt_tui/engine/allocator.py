"""How the engine's process asks glibc's malloc to give memory back.

Recognition allocates and frees buffers of megabytes (the audio's features, the encoder's activations, the
voice detector's batch). glibc raises its mmap threshold to the size of each large block freed (up to
32 MB), so later blocks of that size come from the heap, which fragments and keeps growing over the jobs.
A threshold fixed at 4 MB keeps the big blocks out of the heap at no cost in speed (at 2 MB and below the
per-layer buffers are mapped and unmapped each time: twice the system time), and trimming after each job
hands back what the last one left. Peak RSS over the shared English set: 413 MB by default, 373 MB so
in-process (`python bench/engine_memory.py`); the engine's own, 413 -> 369 MB (`python bench/engine.py`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

# mallopt(3) parameters, from glibc's malloc.h.
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

MMAP_THRESHOLD = 4 << 20
ARENAS = 2  # each worker thread would otherwise keep an arena of its own


@cache
def _glibc() -> Any | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    libc = ctypes.CDLL(name)
    if not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim"):  # musl and others
        return None
    libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    libc.mallopt.restype = ctypes.c_int
    libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    libc.malloc_trim.restype = ctypes.c_int
    return libc


def limit_allocator() -> bool:
    """Fix the mmap threshold and cap the arenas, before the model is loaded and the workers start.

    Returns False (and changes nothing) where the C library is not glibc.
    """
    libc = _glibc()
    if libc is None:
        return False
    settings = ((_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_ARENA_MAX, ARENAS))
    return all([libc.mallopt(param, value) == 1 for param, value in settings])


def give_back() -> None:
    """Return the heap's free memory to the system (after a job: the next one starts from less)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
