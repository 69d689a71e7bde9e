"""Shared steps of the dialect tests: build a schema on a real server, migrate it with a file.

A scenario reads like the guide: create the tables of schema ``old`` holding rows, write the
migration makemigrations would write for ``old`` -> ``new``, run ``migrate`` and
``migrate zero`` with the real runner, and look at the database in between.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from nextorm import Database
from nextorm.migrations.diff import align_columns, diff_schemas, reverse_operations
from nextorm.migrations.questioner import Questioner
from nextorm.migrations.runner import MigrationRunner
from nextorm.migrations.writer import render_migration
from nextorm.schema.plan import create_operations

NOW = dt.datetime(2026, 1, 2, 3, 4)


def table(columns: dict[str, dict[str, Any]], primary_key: list[str] | None = None,
          **sections: dict[str, Any]) -> dict[str, Any]:
    """Return a table of the schema dict; ``id`` is an auto-increment key unless told otherwise."""
    if primary_key is None:
        columns = {"id": {"type": "int", "nullable": False, "auto": True}, **columns}
        primary_key = ["id"]
    return {"columns": columns, "primary_key": primary_key,
            "indexes": sections.get("indexes", {}), "uniques": sections.get("uniques", {}),
            "foreign_keys": sections.get("foreign_keys", {})}


def schema(**tables: dict[str, Any]) -> dict[str, Any]:
    return {"format": 1, "tables": tables}


def create(db: Database, tables: dict[str, Any]) -> None:
    """Create ``tables`` (a schema dict's tables) with their keys and indexes."""
    with db.transaction():
        for op in create_operations(tables):
            for statement in db.dialect.render(op):
                db._run_rendered(statement)


def insert(db: Database, table_name: str, rows: list[dict[str, Any]]) -> None:
    q = db.dialect.quote
    for row in rows:
        db._execute_dml(f"INSERT INTO {q(table_name)} ({', '.join(q(c) for c in row)}) "
                        f"VALUES ({', '.join('?' for _ in row)})", list(row.values()))


def rows(db: Database, table_name: str, *columns: str) -> list[tuple[Any, ...]]:
    q = db.dialect.quote
    return db._execute(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table_name)} "
                       f"ORDER BY {q(columns[0])}")


def migration_source(db: Database, old: dict[str, Any], new: dict[str, Any],
                     questioner: Questioner | None = None) -> str:
    """Return the migration makemigrations writes for ``old`` -> ``new`` on ``db``'s server."""
    ops = diff_schemas(old, new, questioner or Questioner())
    undo = reverse_operations(ops, new)
    return render_migration(ops, undo, db.dialect, summary="Scenario.", version="0.0.0",
                            now=NOW, before=align_columns(old, new)["tables"],
                            after=new["tables"])


def write_migration(directory: Path, source: str, name: str = "0001_change.py") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(source, encoding="utf-8")
    return path


def runner(db: Database, directory: Path) -> MigrationRunner:
    return MigrationRunner(db, directory)


def mapped(target: Any, entities: list[type]) -> Database:
    """A Database of ``entities`` bound to the test's server and mapped (no tables made)."""
    db = Database(entities=entities)
    target.bind(db)
    db.generate_mapping()
    return db
