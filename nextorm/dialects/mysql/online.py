"""MariaDB: who holds the metadata lock a migration's DDL statement waited for.

``information_schema.METADATA_LOCK_INFO`` (the ``metadata_lock_info`` plugin) names the
sessions holding a lock on the table; without the plugin, the sessions with the oldest open
InnoDB transactions are named as the likely blockers (a DDL statement waits for every
transaction that has read or written the table to end).
"""

from __future__ import annotations

from typing import Any

from ...errors import SQLError
from ..online import one_line, tables_of

_MDL = (
    "SELECT p.ID, p.USER, p.COMMAND, p.TIME, LEFT(COALESCE(p.INFO, ''), 80) "
    "FROM information_schema.METADATA_LOCK_INFO m "
    "JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID "
    "WHERE m.TABLE_SCHEMA = DATABASE() AND m.TABLE_NAME = ? AND m.THREAD_ID <> CONNECTION_ID() "
    "LIMIT 3"
)
_OLDEST_TRANSACTIONS = (
    "SELECT p.ID, p.USER, p.COMMAND, TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), "
    "LEFT(COALESCE(p.INFO, ''), 80) "
    "FROM information_schema.INNODB_TRX t "
    "JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
    "WHERE p.ID <> CONNECTION_ID() ORDER BY t.trx_started LIMIT 3"
)


def lock_blockers(db: Any, sql: str) -> str:
    """``session 12 (user app, Sleep, transaction open for 37 s)``, or ``""``."""
    found: list[str] = []
    try:
        for table in tables_of(sql):
            found += [_words(row, "holds a lock on " + table)
                      for row in db._execute(_MDL, [table])]
    except SQLError:  # no metadata_lock_info plugin: name the oldest open transactions
        found = [_words(row, "oldest open transaction, probably")
                 for row in db._execute(_OLDEST_TRANSACTIONS)]
    return "; ".join(dict.fromkeys(found))


def _words(row: tuple[Any, ...], why: str) -> str:
    session, user, command, seconds, query = row
    shown = f", query: {one_line(query)}" if query else ""
    return f"session {session} ({why}; user {user}, {command} for {seconds or 0} s{shown})"
