"""What the servers' migrate locks share (each lock is ``dialects/<server>/lock.py``)."""

from __future__ import annotations

from typing import Any

from ..errors import SQLError

#: How long a second ``migrate`` waits for the first one, in seconds.
MIGRATE_LOCK_WAIT_SECONDS = 600


def release_quietly(db: Any, sql: str, params: list[Any]) -> None:
    """Release a session lock; if the connection is gone, the server released it already."""
    try:
        db._execute(sql, params)
    except SQLError:
        pass
