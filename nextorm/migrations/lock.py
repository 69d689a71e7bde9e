"""One ``migrate`` at a time per database: the dialect's lock, and how each migration begins.

PostgreSQL and MariaDB hold a session lock (advisory lock, ``GET_LOCK``) keyed by the
schema/database and released by the server if the process dies.  SQLite has no session lock:
each migration's transaction starts with ``BEGIN IMMEDIATE`` (the write lock) and the runner
re-checks the tracking table inside it.  The locks themselves live in
``dialects/<server>/lock.py``; the runner re-reads the applied set after locking.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any


def migrate_lock(db: Any) -> AbstractContextManager[None]:
    """Return a context manager holding the migrate lock of ``db``'s database."""
    return db.dialect.migrate_lock(db)


def recheck_needed(db: Any) -> bool:
    """True where no session lock exists (SQLite): re-check the record inside each transaction."""
    return not db.dialect.session_lock


def begin_sql(db: Any) -> str:
    """The statement that opens a migration's transaction (SQLite takes its write lock)."""
    return str(db.dialect.begin_migration_sql)
