"""``sqlmigrate``: the SQL a migration would run, collected without running it.

The migration's function is called with a stand-in database that records every statement
passed to it; queries return no rows, and anything else a file asks of the database is an
error naming it (the SQL of such a file cannot be known without running it).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from ..errors import MigrationError
from .context import MigrationContext
from .executor import StepFailed, call
from .loader import MigrationFile, import_migration


def collect_sql(db: Any, file: MigrationFile, direction: str) -> list[str]:
    """Return the statements ``direction`` of ``file`` passes to the database, in order."""
    module = import_migration(file, db.provider)
    function = getattr(module, direction, None)
    if function is None:
        raise MigrationError(f"{file.display_path} has no {direction}(db) function")
    collector = CollectingDatabase(db)
    try:
        call(function, MigrationContext(collector), file, direction)
    except StepFailed as exc:
        raise exc.error("failed") from None
    return collector.statements


class CollectingDatabase:
    """A stand-in Database: collects the SQL a migration passes to it."""

    def __init__(self, db: Any) -> None:
        self.provider = db.provider
        self.dialect = db.dialect
        self.sqlite_filename = None
        self.in_transaction = False
        self.statements: list[str] = []

    def _collect(self, sql: str, params: Any) -> None:
        text = sql.strip().rstrip(";") + ";"
        if params:
            text += f"  -- params: {list(params)!r}"
        self.statements.append(text)

    def _execute_dml(self, sql: str, params: Any = ()) -> int:
        self._collect(sql, params)
        return 0

    def _execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        self._collect(sql, params)
        return []

    def _insert(self, sql: str, params: Any = ()) -> Any:
        self._collect(sql, params)
        return None

    def transaction(self, begin_sql: str = "BEGIN") -> Any:
        return nullcontext(self)

    def __getattr__(self, name: str) -> Any:
        raise MigrationError(f"sqlmigrate cannot show what db.{name} would do")

