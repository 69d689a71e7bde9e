"""One ``migrate`` at a time per database.

PostgreSQL takes a session advisory lock and MariaDB a named ``GET_LOCK`` lock, both keyed by
the schema/database name and both released by the server if the process dies.  SQLite has no
session lock: each migration's transaction starts with ``BEGIN IMMEDIATE`` (the database's
write lock) and the runner re-checks the tracking table inside it, so a migration another
process applied meanwhile is skipped.  The runner re-reads the applied set after locking.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import MigrationError, SQLError

#: How long a second ``migrate`` waits for the first one, in seconds.
WAIT_SECONDS = 600
_PG_LOCK_CLASS = 4_127_001  # first key of the advisory lock: "NextORM migrate"


@contextmanager
def _postgres_lock(db: Any) -> Iterator[None]:
    key = "?, hashtext(current_schema())"
    db._execute(f"SELECT pg_advisory_lock({key})", [_PG_LOCK_CLASS])
    try:
        yield
    finally:
        _release(db, f"SELECT pg_advisory_unlock({key})", [_PG_LOCK_CLASS])


@contextmanager
def _mysql_lock(db: Any) -> Iterator[None]:
    name = "CONCAT('nextorm_migrate:', LEFT(SHA1(DATABASE()), 40))"
    got = db._execute(f"SELECT GET_LOCK({name}, ?)", [WAIT_SECONDS])
    if not got or got[0][0] != 1:
        raise MigrationError(
            f"another migrate held the migration lock for over {WAIT_SECONDS} s; try again"
        )
    try:
        yield
    finally:
        _release(db, f"SELECT RELEASE_LOCK({name})", [])


def _release(db: Any, sql: str, params: list[Any]) -> None:
    """Release a session lock; if the connection is gone, the server released it already."""
    try:
        db._execute(sql, params)
    except SQLError:
        pass


@contextmanager
def _sqlite_lock(db: Any) -> Iterator[None]:
    # Wait for a concurrent writer instead of failing with "database is locked".
    db._execute_dml(f"PRAGMA busy_timeout = {WAIT_SECONDS * 1000}")
    yield


_LOCKS = {"postgres": _postgres_lock, "mysql": _mysql_lock, "sqlite": _sqlite_lock}
_BEGIN = {"sqlite": "BEGIN IMMEDIATE"}


def migrate_lock(db: Any):
    """Return a context manager holding the migrate lock of ``db``'s database."""
    return _LOCKS[db.provider](db)


def recheck_needed(db: Any) -> bool:
    """True where no session lock exists (SQLite): re-check the record inside each transaction."""
    return db.provider == "sqlite"


def begin_sql(db: Any) -> str:
    """The statement that opens a migration's transaction (SQLite takes its write lock)."""
    return _BEGIN.get(db.provider, "BEGIN")
