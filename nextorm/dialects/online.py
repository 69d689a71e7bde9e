"""Online-safe DDL: what a server does so a migration can run while the app writes.

``Dialect`` inherits ``OnlineDDL``; each server overrides what it supports (PostgreSQL in
``postgres/online.py`` and its ``dialect.py``, MariaDB in ``mysql/online.py`` and its
``dialect.py``).  Two kinds of knowledge live here:

- **running** a migration (the runtime asks): the statements that set and reset a lock
  timeout, whether a driver error is a lock timeout, who holds the lock a statement waited
  for, which statements cannot run inside a transaction, and what to clean up before a
  statement runs again (PostgreSQL's INVALID index of a failed ``CREATE INDEX CONCURRENTLY``);
- **generating** a migration (makemigrations asks): ``for_migration`` returns a copy of the
  dialect that knows which tables already exist (only those need the online patterns: a
  table created in the same migration is empty and unseen by the app) and which of them get
  ``CREATE INDEX CONCURRENTLY``.  The render methods read ``online_tables`` and
  ``concurrent_tables``; both are empty by default, so ``create_tables``, ``db.migrate()``
  and every other caller get the plain statements.

Every dialect inherits ``OnlineDDL``, so binding a database imports this module: ``copy`` is
imported by ``for_migration`` and the table pattern compiled by ``tables_of``, when first used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Table names a statement touches: ``ALTER TABLE "t"``, ``ON "t"``, ``REFERENCES "t"``.
_TABLES = (r"""\b(?:TABLE|ON|REFERENCES|INTO|UPDATE|FROM)\s+(?:IF\s+EXISTS\s+)?"""
           r"""(?:ONLY\s+)?["`]?([^\s"`(,;]+)["`]?""")


def tables_of(sql: str) -> list[str]:
    """The table names ``sql`` names after TABLE/ON/REFERENCES..., in order, once each."""
    found: list[str] = []
    for name in re.findall(_TABLES, sql, re.IGNORECASE):  # compiled once, by re's cache
        if name.upper() not in ("EXISTS", "ONLY") and name not in found:
            found.append(name)
    return found


def one_line(query: Any) -> str:
    """A blocking session's query as it fits the error's one line (its newlines folded)."""
    return " ".join(str(query).split())


class OnlineDDL:
    """Defaults: a server without lock timeouts or online patterns (SQLite)."""

    #: Tables that existed before the migration being generated (see the module docstring).
    online_tables: frozenset[str] = frozenset()
    #: Of those, the tables whose new indexes are built with ``CONCURRENTLY``.
    concurrent_tables: frozenset[str] = frozenset()

    def for_migration(self, existing: Iterable[str],
                      concurrent: bool | Iterable[str] = False) -> Any:
        """A copy of this dialect that renders the online patterns for ``existing`` tables.

        ``concurrent``: True for every existing table, or the names of the tables whose
        indexes are built concurrently (``_concurrent_indexes_ = True`` on their entity).
        """
        online = frozenset(existing)
        chosen = online if concurrent is True else frozenset(concurrent or ()) & online
        import copy

        clone = copy.copy(self)
        clone.online_tables, clone.concurrent_tables = online, chosen
        return clone

    # -- lock timeouts (the runtime) --------------------------------------------------------

    def lock_timeout_sql(self, seconds: float) -> list[str]:
        """Statements that make this session's lock waits give up after ``seconds``."""
        return []

    def reset_lock_timeout_sql(self) -> list[str]:
        """Statements that give this session back the server's lock timeout."""
        return []

    def is_lock_timeout(self, error: BaseException) -> bool:
        """True if the driver error (``SQLError.__cause__``) is a lock wait that timed out."""
        return False

    def lock_blockers(self, db: Any, sql: str) -> str:
        """Who holds the locks ``sql`` waited for, in words (``""`` when the server cannot
        tell): read right after the timeout, while the blocker usually still holds them."""
        return ""

    def outside_transaction(self, sql: str) -> bool:
        """True if ``sql`` cannot run, or loses its point, inside a migration's transaction
        (``CREATE INDEX CONCURRENTLY``, ``VACUUM``, ``VALIDATE CONSTRAINT`` after ``NOT
        VALID``): a file holding one is written with ``ATOMIC = False``."""
        return False

    def prepare_rerun(self, db: Any, sql: str) -> None:
        """Clean up what a failed or interrupted run of ``sql`` left before it runs again."""


def online_notes(dialect: OnlineDDL, op: Any) -> list[str]:
    """Why-comments for the online patterns a step was rendered with (PostgreSQL)."""
    kind, table = type(op).__name__, getattr(op, "table", None)
    if table in dialect.concurrent_tables and kind == "DropIndex":
        return ["CONCURRENTLY: dropped without blocking the app's queries; it cannot run in a "
                "transaction, so this file has ATOMIC = False."]
    if table in dialect.concurrent_tables and kind in ("CreateIndex", "AddUnique"):
        return ["CONCURRENTLY: built while the app writes (no write lock); it cannot run in "
                "a transaction, so this file has ATOMIC = False. If it fails, the INVALID "
                "index it leaves is dropped when 'migrate --retry' runs it again."]
    if table not in dialect.online_tables:
        return []
    if kind == "AddForeignKey":
        return ["NOT VALID adds the key at once for new rows; VALIDATE then checks the "
                "existing rows without blocking writes (ATOMIC = False: each step commits)."]
    if kind == "AlterColumn" and op.sets_not_null:
        return ["NOT NULL without a long write lock: a CHECK added NOT VALID, validated while "
                "the app writes, lets SET NOT NULL skip its table scan; the CHECK is then "
                "dropped (ATOMIC = False: each step commits)."]
    return []
