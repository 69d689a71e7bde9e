"""``migrate --fake`` records migrations as applied without running them: check that is true.

``--fake`` is for adopting a schema that already exists.  Recording a migration whose tables
are not there makes every later migration fail (or worse, succeed against the wrong schema),
so before recording anything the tables the faked migrations create are looked up:

- with the snapshot's history (generated files), every table and column the schema should
  have after the last faked migration must exist;
- otherwise (hand-written files), every table their ``CREATE TABLE`` statements name must
  exist; the statements are collected without running anything (``sqlmigrate``'s collector).
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..errors import FakeCheckError, MigrationError, NextORMError
from .loader import MigrationFile

_CREATE_TABLE = re.compile(
    r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([`\"]?)([^\s`\"(]+)\1", re.IGNORECASE)


def check_fake(db: Any, directory: str | os.PathLike[str], files: list[MigrationFile]) -> None:
    """Raise unless what ``files`` create is already in the database."""
    if not files:
        return
    from ..schema.introspect import introspect

    live = introspect(db)["tables"]
    expected = _expected_tables(directory, files[-1])
    if expected is not None:
        for table, definition in sorted(expected.items()):
            _check_table(table, live, list(definition["columns"]), files, expected_by="the migrations")
        return
    for file in files:
        for table in _created_tables(db, file):
            _check_table(table, live, [], [file], expected_by=file.name)


def _expected_tables(directory: str | os.PathLike[str],
                     last: MigrationFile) -> dict[str, Any] | None:
    from .snapshot import load_state

    try:
        schema = load_state(directory).schema_after(last.name)
    except NextORMError:
        return None
    return None if schema is None else schema["tables"]


def _check_table(table: str, live: dict[str, Any], columns: list[str],
                 files: list[MigrationFile], expected_by: str) -> None:
    names = ", ".join(f.name for f in files)
    if table not in live:
        raise FakeCheckError(
            f"--fake would record {names} as applied, but table {table}, created by "
            f"{expected_by}, does not exist: run 'migrate' without --fake to create it (--fake "
            "only records migrations whose changes are already in the database)"
        )
    missing = [c for c in columns if c not in live[table]["columns"]]
    if missing:
        raise FakeCheckError(
            f"--fake would record {names} as applied, but table {table} has no column "
            f"{', '.join(missing)}: apply the missing changes, or run 'migrate' without --fake"
        )


def _created_tables(db: Any, file: MigrationFile) -> list[str]:
    """The tables a file's upgrade() creates, read from its SQL without running it."""
    from .executor import UPGRADE
    from .sqlcollect import collect_sql

    try:
        statements = collect_sql(db, file, UPGRADE)
    except MigrationError:
        return []  # it does more than run SQL: nothing can be checked without running it
    return [m.group(2) for sql in statements if (m := _CREATE_TABLE.match(sql))]
