"""Rebuild ``.schema_snapshot.json`` from a database that has every migration applied.

The snapshot is the baseline of the next migration.  When it is lost (deleted, never
committed) the files alone cannot say what schema they produce, but a database they were all
applied to can: it is introspected, and each table and column that matches the entities
exactly takes the entities' own definition (so Python-side keys such as ``default`` and
``empty_default`` are kept).  Tables the entities do not map are left out and named: the
snapshot never invites the next migration to drop a table nobody declared.

The same command adopts an existing database: write the migrations (or ``makemigrations``),
record them with ``migrate --fake``, then rebuild the snapshot from the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MigrationError
from ..schema.compare import physical
from ..schema.introspect import introspect
from ..schema.model import SCHEMA_FORMAT
from . import snapshot
from .runner import MigrationRunner


@dataclass(frozen=True)
class RebuiltSnapshot:
    """What ``rebuild_snapshot`` wrote: the file, the migration it stands for, what it left out."""

    path: Path
    migration: str
    tables: int
    left_out: list[str]


def rebuild_snapshot(db: Any, directory: str | os.PathLike[str] = "migrations/") -> RebuiltSnapshot:
    """Write the snapshot from ``db``, which must have every migration of ``directory`` applied."""
    statuses = MigrationRunner(db, directory).showmigrations()
    if not statuses:
        raise MigrationError(f"no migrations in {directory}: run makemigrations instead")
    behind = next((s for s in statuses if s.state != "applied"), None)
    if behind is not None:
        raise MigrationError(
            f"{behind.name} is {behind.state} in this database, so it cannot show what the "
            "migrations produce: run 'migrate' first, or rebuild from a database that has "
            "every migration applied"
        )
    live = introspect(db)["tables"]
    model = db.schema_dict()["tables"]
    tables = {name: _merge_table(live[name], model[name]) for name in live if name in model}
    left_out = sorted(name for name in live if name not in model)
    data = {"format": SCHEMA_FORMAT, "tables": tables, "migration": statuses[-1].name,
            "history": []}
    path = snapshot.write(directory, data)
    return RebuiltSnapshot(path, statuses[-1].name, len(tables), left_out)


def _merge_table(live: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """The live table, with the entities' definition wherever it matches exactly."""
    if _physical_table(model) == live:
        return model
    columns = {}
    for name, column in live["columns"].items():
        declared = model["columns"].get(name)
        matches = declared is not None and _physical_column(declared) == column
        columns[name] = declared if matches else column
    return {**live, "columns": columns}


def _physical_table(table: dict[str, Any]) -> dict[str, Any]:
    return physical({"tables": {"t": table}})["tables"]["t"]


def _physical_column(column: dict[str, Any]) -> dict[str, Any]:
    return physical({"tables": {"t": {"columns": {"c": column}}}})["tables"]["t"]["columns"]["c"]
