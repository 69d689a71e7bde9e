"""SQLite's migrate lock: the database's own write lock.

SQLite has no session lock.  Each migration's transaction starts with ``BEGIN IMMEDIATE``
(the write lock), and the runner re-checks the tracking table inside it
(``Dialect.session_lock`` is False), so a migration another process applied meanwhile is
skipped.  A second ``migrate`` waits for the lock instead of failing with "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..locking import MIGRATE_LOCK_WAIT_SECONDS


@contextmanager
def migrate_lock(db: Any) -> Iterator[None]:
    """Wait for a concurrent writer (the busy timeout) rather than fail."""
    db._execute_dml(f"PRAGMA busy_timeout = {MIGRATE_LOCK_WAIT_SECONDS * 1000}")
    yield
