"""What changed in the history since a reader last looked: cheap enough to ask twice a second.

The TUI shows the whole history and must see changes made by anyone (its own workers, a CLI in
another terminal) without re-reading 10,000 rows: row revisions say what changed, the row count
says whether something was forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .history import History
from .jobs import Job


@dataclass(frozen=True)
class Changes:
    changed: list[Job] = field(default_factory=list)  # added or updated, oldest first
    removed: set[int] = field(default_factory=set)  # ids no longer in the history

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


class JobFeed:
    """Follows one history; not shared between threads."""

    def __init__(self, history: History) -> None:
        self.history = history
        self._rev = 0
        self._ids: set[int] = set()

    def load(self) -> list[Job]:
        """Every job, newest first; later calls to changes() report what happens after this."""
        self._rev = self.history.revision()
        jobs = self.history.jobs()
        self._ids = {j.id for j in jobs}
        return jobs

    def changes(self) -> Changes:
        changed, self._rev = self.history.changed_since(self._rev)
        self._ids.update(j.id for j in changed)
        removed: set[int] = set()
        if self.history.count() != len(self._ids):
            current = self.history.job_ids()
            removed = self._ids - current
            self._ids = current
        return Changes(changed, removed)
