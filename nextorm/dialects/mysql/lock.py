"""MariaDB's migrate lock: a named ``GET_LOCK`` keyed by the database.

The server releases it when the session ends, so a killed ``migrate`` never leaves it held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...errors import MigrationError
from ..locking import MIGRATE_LOCK_WAIT_SECONDS, release_quietly

_NAME = "CONCAT('nextorm_migrate:', LEFT(SHA1(DATABASE()), 40))"


@contextmanager
def migrate_lock(db: Any) -> Iterator[None]:
    """Hold the named lock of the bound database, waiting up to the migrate lock's limit."""
    got = db._execute(f"SELECT GET_LOCK({_NAME}, ?)", [MIGRATE_LOCK_WAIT_SECONDS])
    if not got or got[0][0] != 1:
        raise MigrationError(
            f"another migrate held the migration lock for over {MIGRATE_LOCK_WAIT_SECONDS} s; "
            "try again"
        )
    try:
        yield
    finally:
        release_quietly(db, f"SELECT RELEASE_LOCK({_NAME})", [])
