"""PostgreSQL: who blocks a migration's lock, and a failed concurrent index build.

Kept out of ``dialect.py`` and imported only when a lock wait timed out or a statement is
run again, so the ORM never pays for it.
"""

from __future__ import annotations

import re
from typing import Any

from ..online import one_line, tables_of

#: Sessions holding a lock on a relation (granted), oldest transaction first.  Read right
#: after the timeout: the migration no longer waits then, so ``pg_blocking_pids`` of its own
#: session is empty, but the blocker still holds its lock on the table.
_HOLDERS = (
    "SELECT a.pid, a.usename, a.application_name, a.state, "
    "EXTRACT(EPOCH FROM now() - COALESCE(a.xact_start, a.query_start))::int, "
    "LEFT(regexp_replace(a.query, '\\s+', ' ', 'g'), 80) "
    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.granted AND l.pid <> pg_backend_pid() "
    "AND l.relation = to_regclass(quote_ident(?)) "
    "ORDER BY a.xact_start NULLS LAST LIMIT 3"
)

_CONCURRENT_INDEX = re.compile(
    r"""\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?"""
    r""""?([^"\s]+)"?""", re.IGNORECASE)


def lock_blockers(db: Any, sql: str) -> str:
    """``pid 4242 (user app, idle in transaction for 37 s, query: UPDATE ...)``, or ``""``."""
    found: list[str] = []
    for table in tables_of(sql):
        for pid, user, app, state, seconds, query in db._execute(_HOLDERS, [table]):
            who = f"pid {pid} (user {user}" + (f", application {app!r}" if app else "")
            words = f"{who}, {state or 'active'} for {seconds or 0} s, query: {one_line(query)})"
            if words not in found:
                found.append(words)
    return "; ".join(found)


def drop_invalid_index(db: Any, sql: str) -> None:
    """Drop the INVALID index a failed ``CREATE INDEX CONCURRENTLY`` of ``sql`` left.

    A concurrent build that fails or is cancelled (a lock timeout, a duplicate for a unique
    index, a killed process) leaves its index behind, marked invalid: unused by queries but
    still updated by every write, and in the way of running the statement again.
    """
    match = _CONCURRENT_INDEX.match(sql)
    if match is None:
        return
    name = match.group(1)
    rows = db._execute(
        "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.oid = to_regclass(quote_ident(?))", [name])
    if rows and rows[0][0]:
        quoted = '"' + name.replace('"', '""') + '"'
        db._execute_dml(f"DROP INDEX CONCURRENTLY IF EXISTS {quoted}")
