"""The local history: every job and every result, in SQLite, and what changed in it since a view last
looked (feed). The only package of the client that touches the database.

May import: jobs, shared.
"""

from stt_tui.history.database import HistoryError, JobNotFound
from stt_tui.history.schema import MIGRATIONS, SCHEMA_VERSION
from stt_tui.history.store import History

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "History", "HistoryError", "JobNotFound"]
