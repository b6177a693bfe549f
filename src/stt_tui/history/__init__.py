"""The local history: every job and every result, in SQLite. The only package that touches the database."""

from .database import HistoryError, JobNotFound
from .schema import MIGRATIONS, SCHEMA_VERSION
from .store import History

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "History", "HistoryError", "JobNotFound"]
