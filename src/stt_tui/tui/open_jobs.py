"""The jobs not finished yet, as the app follows them: which ended since the last look (to announce), how
many run (for the status line), which entered their last hours unwarned. Few, whatever the history's size;
pure, no Textual."""

from __future__ import annotations

from collections.abc import Iterable

from stt_tui.jobs.model import FINAL_STATES, Job, JobState
from stt_tui.service import Changes
from stt_tui.tui.cells import expiry_alerts


class OpenJobs:
    def __init__(self) -> None:
        self._jobs: dict[int, Job] = {}
        self._warned: set[int] = set()

    def __len__(self) -> int:
        return len(self._jobs)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._jobs

    def load(self, jobs: Iterable[Job]) -> None:
        self._jobs = {j.id: j for j in jobs}

    def apply(self, changes: Changes) -> list[Job]:
        """Take the history's changes; return the jobs followed here that have now ended."""
        ended = []
        for job in changes.changed:
            if job.id in self._jobs and job.state in FINAL_STATES:
                ended.append(job)
            if job.state in FINAL_STATES:
                self._jobs.pop(job.id, None)
            else:
                self._jobs[job.id] = job
        for job_id in changes.removed:
            self._jobs.pop(job_id, None)
        return ended

    def running(self) -> int:
        return sum(1 for j in self._jobs.values() if j.state == JobState.RUNNING)

    def newly_expiring(self, now: float) -> list[Job]:
        """The jobs that entered their last hours without a stored result since the last call (each once)."""
        found = expiry_alerts(self._jobs.values(), now, self._warned)
        self._warned.update(j.id for j in found)
        return found
