"""``sqlmigrate``: the SQL a migration would run, collected without running it.

The migration's function is called with a stand-in database that records every statement
passed to it; queries return no rows, and anything else a file asks of the database is an
error naming it (the SQL of such a file cannot be known without running it).  The offline
script (``offline.py``) and the lint (``lint/``) read the same collection.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ..errors import MigrationError
from .context import MigrationContext
from .executor import StepFailed, call
from .loader import MigrationFile, import_migration

#: Leading words of statements that only read (the executor counts the others as writes).
READS = ("SELECT", "SHOW", "PRAGMA", "EXPLAIN", "DESCRIBE", "DESC", "WITH")


@dataclass
class Collected:
    """What one direction of one file passes to the database: ``(sql, params)`` in order."""

    file: MigrationFile
    module: ModuleType
    calls: list[tuple[str, list[Any]]] = field(default_factory=list)
    #: The line of the file each call was made from (None: from code outside the file).
    lines: list[int | None] = field(default_factory=list)

    @property
    def statements(self) -> list[str]:
        """The statements as ``sqlmigrate VERSION`` prints them (parameters in a comment)."""
        return [shown(sql, params) for sql, params in self.calls]

    @property
    def queried(self) -> bool:
        """True if the function read from the database (it saw no rows here)."""
        return any(is_read(sql) for sql, _ in self.calls)


def is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith(READS)


def shown(sql: str, params: Any) -> str:
    text = sql.strip().rstrip(";") + ";"
    if params:
        text += f"  -- params: {list(params)!r}"
    return text


def collect_sql(db: Any, file: MigrationFile, direction: str) -> list[str]:
    """Return the statements ``direction`` of ``file`` passes to the database, in order."""
    return collect(db, file, direction).statements


def collect(db: Any, file: MigrationFile, direction: str,
            module: ModuleType | None = None) -> Collected:
    """Call ``direction`` of ``file`` with a collecting stand-in; raise if it fails there."""
    module = module or import_migration(file, db.provider)
    function = getattr(module, direction, None)
    if function is None:
        raise MigrationError(f"{file.display_path} has no {direction}(db) function")
    collector = CollectingDatabase(db, str(file.path))
    try:
        call(function, MigrationContext(collector), file, direction)
    except StepFailed as exc:
        raise exc.error("failed") from None
    return Collected(file, module, collector.calls, collector.lines)


class CollectingDatabase:
    """A stand-in Database: collects the SQL a migration passes to it."""

    def __init__(self, db: Any, path: str | None = None) -> None:
        self.provider = db.provider
        self.dialect = db.dialect
        self.sqlite_filename = None
        self.in_transaction = False
        self.calls: list[tuple[str, list[Any]]] = []
        self.lines: list[int | None] = []
        self._path = path

    def _collect(self, sql: str, params: Any) -> None:
        self.calls.append((sql, list(params or ())))
        self.lines.append(self._caller_line())

    def _caller_line(self) -> int | None:
        """The line of the migration file that made the call (the lint's silences use it)."""
        frame = sys._getframe(2)
        while frame is not None and self._path is not None:
            if frame.f_code.co_filename == self._path:
                return frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None

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
