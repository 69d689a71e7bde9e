"""What a migration file receives as ``db``: a small context around the Database.

``upgrade(db)`` and ``downgrade(db)`` get a ``MigrationContext``.  Its public calls are
``db.execute(sql, params)`` (a statement; returns the row count) and ``db.query(sql, params)``
(returns rows as tuples), with ``?`` placeholders on every server.  The guide's
``db._execute_dml(sql, params)`` keeps working exactly as written, as do ``db._execute`` and
``db._insert``; any other attribute is the bound Database's.

A migration may not end the transaction ``migrate`` runs it in: ``COMMIT``, ``BEGIN`` and
friends are refused with a message (a ``COMMIT`` would leave the migration half-applied on
failure and unrecorded on success).  Savepoints are fine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..errors import MigrationError

#: Statements that would end the transaction a migration runs in (savepoints are fine).
_TRANSACTION_CONTROL = re.compile(
    r"\s*(COMMIT|END|BEGIN|START\s+TRANSACTION|ROLLBACK(?!.*\bTO\b))\b", re.IGNORECASE | re.DOTALL
)

Params = Sequence[Any] | None


class MigrationContext:
    """The Database as a migration sees it (see the module docstring)."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement (DDL or DML) and return the number of rows it changed."""
        return self._execute_dml(sql, params)

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        return self._execute(sql, params)

    @staticmethod
    def _check(sql: str) -> None:
        match = _TRANSACTION_CONTROL.match(sql)
        if match:
            raise MigrationError(
                f"{match.group(1).upper()} is not allowed in a migration: migrate runs each "
                "migration in one transaction and commits it; remove the statement"
            )

    def _execute_dml(self, sql: str, params: Params = ()) -> int:
        self._check(sql)
        return self._db._execute_dml(sql, params)

    def _execute(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        self._check(sql)
        return self._db._execute(sql, params)

    def _insert(self, sql: str, params: Params = ()) -> Any:
        self._check(sql)
        return self._db._insert(sql, params)
