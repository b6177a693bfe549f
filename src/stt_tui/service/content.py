"""What the history knows about a file's audio, by its content: the same recording under any name.

A repeat is the same audio sent with the same request (profile, API and every option that changes the
result, jobs.Request): audio sent through another profile, or in another language, is new work, so the
checks before sending ask about one request's jobs; the browser's markers show every profile's, per
language.
A file is hashed once while its size and modification time stay the same (the hash is kept in the
history, for every process), and only when some job was ever sent a file of its size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from stt_tui.audio.prepare import Progress, file_hash, no_progress
from stt_tui.history import History
from stt_tui.jobs.model import Job, JobState, Request


class Seen(StrEnum):
    """What became of the audio the last times it was sent (the browser shows it as ✓ … ✗)."""

    DONE = "done"
    RUNNING = "running"
    FAILED = "failed"


@dataclass(frozen=True)
class Known:
    seen: Seen
    job: Job  # the job that says so: the newest done one, else the newest running, else the newest

    @property
    def would_repeat(self) -> bool:
        """Whether sending the audio once more would repeat work (asked about first)."""
        return self.seen in (Seen.DONE, Seen.RUNNING)


@dataclass(frozen=True)
class AudioStatus:
    """What became of the audio asked for in one language (a file done in two has two statuses)."""

    seen: Seen
    language: str  # as RequestOptions.label() says it, or Job.language once done (`auto ru-RU`)


def known_from(jobs: Iterable[Job], request: Request | None = None) -> Known | None:
    """What the jobs of one content come to (pure); `request`: only the jobs that asked for it (another
    language, model or option is other work, whose transcript is no answer to this one)."""
    newest_first = sorted(
        (j for j in jobs if request is None or j.request == request), key=lambda j: j.id, reverse=True
    )
    for job in newest_first:
        if job.has_transcript:
            return Known(Seen.DONE, job)
    for job in newest_first:
        if job.state in (JobState.RUNNING, JobState.SUBMITTING):
            return Known(Seen.RUNNING, job)
    return Known(Seen.FAILED, newest_first[0]) if newest_first else None


def statuses_from(jobs: Iterable[Job]) -> tuple[AudioStatus, ...]:
    """Per language asked for, in the order first asked, what became of it (pure)."""
    by_language: dict[str, list[Job]] = {}
    for job in sorted(jobs, key=lambda j: j.id):
        by_language.setdefault(job.options.label(), []).append(job)
    found = ((language, known_from(group)) for language, group in by_language.items())
    return tuple(
        # `auto ru-RU` where the language auto found is known, as the job list says it
        AudioStatus(known.seen, known.job.language if known.seen == Seen.DONE else language)
        for language, known in found
        if known is not None
    )


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

    def jobs(self, sha256: str) -> list[Job]:
        """Every job ever sent this audio, oldest first."""
        return self.history.jobs_with_hashes([sha256])

    def known(self, sha256: str, request: Request) -> Known | None:
        """What became of this audio when sent with this request."""
        return known_from(self.jobs(sha256), request)

    def known_by_path(self, paths: Iterable[Path], request: Request) -> dict[Path, Known]:
        """What is known of each file's audio sent with `request`; a file never sent so is left out."""
        found = {}
        for path, jobs in self.jobs_by_path(paths).items():
            known = known_from(jobs, request)
            if known is not None:
                found[path] = known
        return found

    def statuses(self, paths: Iterable[Path]) -> dict[Path, tuple[AudioStatus, ...]]:
        """What became of each file's audio, per language, by any profile; a file
        never sent (nor any of its size) is left out."""
        return {path: statuses_from(jobs) for path, jobs in self.jobs_by_path(paths).items() if jobs}

    def jobs_by_path(self, paths: Iterable[Path]) -> dict[Path, list[Job]]:
        """The jobs of each file's audio. Only files of a size some job was sent are hashed; unreadable
        files are left out (the browser shows them, and submitting says why)."""
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
            by_hash.setdefault(job.file_hash or "", []).append(job)
        return {path: by_hash.get(sha, []) for path, sha in hashes.items()}
