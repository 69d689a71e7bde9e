"""PostgreSQL's migrate lock: a session advisory lock keyed by the schema.

The server releases it when the session ends, so a killed ``migrate`` never leaves it held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..locking import release_quietly

_LOCK_CLASS = 4_127_001  # first key of the advisory lock: "NextORM migrate"
_KEY = "?, hashtext(current_schema())"


@contextmanager
def migrate_lock(db: Any) -> Iterator[None]:
    """Hold the advisory lock of the bound schema (waits for another ``migrate``)."""
    db._execute(f"SELECT pg_advisory_lock({_KEY})", [_LOCK_CLASS])
    try:
        yield
    finally:
        release_quietly(db, f"SELECT pg_advisory_unlock({_KEY})", [_LOCK_CLASS])
