"""What changed in the history since a reader last looked: cheap enough to ask twice a second.

The TUI shows the whole history and must see changes made by anyone (its own workers, a CLI in
another terminal) without re-reading 100,000 rows: row revisions say what changed, and a forgotten job
leaves its id at the revision it went.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stt_tui.history import History
from stt_tui.jobs.model import Job


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

    def load(self) -> list[Job]:
        """The jobs not finished yet; later calls to changes() report what happens after this.

        The rest of the history is read by window, as it is shown (see history/windows.py).
        """
        self._rev = self.history.revision()
        return self.history.unfinished()

    def changes(self) -> Changes:
        """What changed since the last look: rows changed or added, ids forgotten (from the revisions)."""
        changed, removed, self._rev = self.history.changed_since(self._rev)
        return Changes(changed, removed)
