"""Loaded by every Python process the tests start (conftest puts this folder on PYTHONPATH): the guard
that no stt-tui code opens a database file (or its -wal, -shm, -journal) other than through SQLite."""

from __future__ import annotations

import database_guard

database_guard.install()
