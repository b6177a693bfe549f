"""What the history knows about a file's audio, by its content: the same recording under any name.

Audio sent through another profile is another service's work: sending it again is not a repeat, so
the checks before sending ask about one profile's jobs; the browser's markers show every profile's.
A file is hashed once while its size and modification time stay the same (the hash is kept in the
history, for every process), and only when some job was ever sent a file of its size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .history import History
from .jobs import Job, JobState
from .prepare import Progress, file_hash, no_progress


class Seen(StrEnum):
    """What became of the audio the last times it was sent (the browser's ✓ … ✗)."""

    DONE = "done"
    RUNNING = "running"
    FAILED = "failed"


MARKERS = {Seen.DONE: "✓", Seen.RUNNING: "…", Seen.FAILED: "✗"}


@dataclass(frozen=True)
class Known:
    seen: Seen
    job: Job  # the job that says so: the newest done one, else the newest running, else the newest

    @property
    def again(self) -> bool:
        """Whether sending the audio once more would repeat work (asked about first)."""
        return self.seen in (Seen.DONE, Seen.RUNNING)


def known_from(jobs: Iterable[Job]) -> Known | None:
    """What the jobs of one content come to (pure)."""
    newest_first = sorted(jobs, key=lambda j: j.id, reverse=True)
    for job in newest_first:
        if job.has_transcript:
            return Known(Seen.DONE, job)
    for job in newest_first:
        if job.state in (JobState.RUNNING, JobState.SUBMITTING):
            return Known(Seen.RUNNING, job)
    return Known(Seen.FAILED, newest_first[0]) if newest_first else None


class ContentIndex:
    """Hashes files (cached in the history) and says what became of their audio."""

    def __init__(self, history: History) -> None:
        self.history = history

    def sha256(self, path: Path, progress: Progress = no_progress) -> str:
        """The file's SHA-256, read from the cache while its size and time are unchanged."""
        key = str(path.resolve())
        st = os.stat(key)
        cached = self.history.cached_hash(key, st.st_size, st.st_mtime_ns)
        if cached is not None:
            return cached
        sha = file_hash(Path(key), progress)
        self.history.cache_hash(key, st.st_size, st.st_mtime_ns, sha)
        return sha

    def known(self, sha256: str, profile: str | None = None) -> Known | None:
        """What became of this audio (sent through `profile` only, when one is named)."""
        jobs = self.history.jobs_with_hashes([sha256])
        return known_from(j for j in jobs if profile is None or j.profile == profile)

    def seen(self, paths: Iterable[Path], profile: str | None = None) -> dict[Path, Known]:
        """What is known of each file's audio (sent through `profile` only, when one is named); a file
        never sent (nor any of its size) is left out.

        Unreadable files are left out too: the browser shows them, and submitting says why.
        """
        sizes = self.history.known_sizes()
        hashes: dict[Path, str] = {}
        for path in paths:
            try:
                if os.stat(path).st_size in sizes:
                    hashes[path] = self.sha256(path)
            except OSError:
                continue
        by_hash: dict[str, list[Job]] = {}
        for job in self.history.jobs_with_hashes(hashes.values()):
            if profile is not None and job.profile != profile:
                continue
            by_hash.setdefault(job.file_hash or "", []).append(job)
        found = {}
        for path, sha in hashes.items():
            known = known_from(by_hash.get(sha, []))
            if known is not None:
                found[path] = known
        return found
