"""The local history: every job and every result, in SQLite. The only package that touches the database."""

from stt_tui.history.database import HistoryError, JobNotFound
from stt_tui.history.schema import MIGRATIONS, SCHEMA_VERSION
from stt_tui.history.store import History

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "History", "HistoryError", "JobNotFound"]
