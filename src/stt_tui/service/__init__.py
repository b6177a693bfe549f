"""The use cases both frontends share, over one profile. `facade.Service` is what the CLI and the TUI hold,
and the one way in: each of its methods hands the call to the module that does it, and none of those knows
the facade. The modules take the shared context (context): sending files (plan: the pure checks and the
request; submission: claiming, preparing and sending one file; batch: a batch with an outcome per file),
adopting operations (submission), asking about operations and what happens when one ends (operations, and
the poller that drives the checks: polling), waiting for jobs (waiting), cancelling one (cancelling), a
job's transcript and its corrections (transcripts), exporting it to a file (exporting), reading jobs for
the views (lookup), what a finished job leaves behind (cleanup), what the history knows of a file's audio
(content), one round of keeping a view current (poll_round), watching a folder (watch), and the failures a
person sees as one sentence (errors).

The types the frontends handle come from here (this package's names for them), so that no frontend imports
the history: a job's edits, a search hit, the changes a feed saw, the history's failures, what is known of
a file's audio.

May import: every core package below it (connection, settings, outputs, audio, history, jobs, api, shared);
never textual, never the engine.
"""

from stt_tui.history.database import HistoryError, JobNotFound
from stt_tui.history.edits import NO_EDITS, Edits
from stt_tui.history.feed import Changes, JobFeed
from stt_tui.history.search import MARK_END, MARK_START, Hit
from stt_tui.service.content import AudioStatus, Known, Seen

__all__ = [
    "MARK_END",
    "MARK_START",
    "NO_EDITS",
    "AudioStatus",
    "Changes",
    "Edits",
    "Hit",
    "HistoryError",
    "JobFeed",
    "JobNotFound",
    "Known",
    "Seen",
]
