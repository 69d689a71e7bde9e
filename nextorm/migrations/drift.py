"""Drift: say where the entities, the snapshot and the live database disagree.

Three things must agree for a deploy to be safe: the entities (what the code expects), the
snapshot (what the migration files produce) and the database (what is really there).  Two
comparisons cover them:

- **database vs migrations:** the live schema (introspection) against the schema the applied
  migrations should have produced (the snapshot rolled back to the last applied migration);
  this catches hand-made changes, failed half-way fixes and ``--fake`` mistakes;
- **entities vs snapshot:** the entities against the snapshot; a difference is a change no
  migration holds yet (run makemigrations).

Only what the database stores is compared (``schema.compare.physical``).  Each difference is
one line naming the table, the column or key, and both sides.
"""

from __future__ import annotations

import os
from typing import Any

from ..records import Record
from ..schema.compare import physical
from .loader import SNAPSHOT_NAME
from .runner import MigrationRunner
from .snapshot import load_state

#: How each section of a table is named in a difference line.
_SECTION_ITEM = {"columns": "column", "indexes": "index", "uniques": "unique key",
                 "foreign_keys": "foreign key"}


class DriftReport(Record):
    """The differences found, by comparison; empty lists mean all three agree.

    (A plain class: ``migrate`` imports this module for its warning, and a dataclass costs
    its creation.)
    """

    __slots__ = ("database", "entities", "notes")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(self, database: list[str] | None = None, entities: list[str] | None = None,
                 notes: list[str] | None = None) -> None:
        self.database: list[str] = [] if database is None else database
        self.entities: list[str] = [] if entities is None else entities
        self.notes: list[str] = [] if notes is None else notes

    @property
    def clean(self) -> bool:
        return not self.database and not self.entities


def check_drift(db: Any, directory: str | os.PathLike[str] = "migrations/") -> DriftReport:
    """Compare the database with the applied migrations, and the entities with the snapshot."""
    from ..schema.introspect import introspect

    report = DriftReport()
    state = load_state(directory)
    statuses = MigrationRunner(db, directory).showmigrations()
    applied = [s for s in statuses if s.applied]
    last = applied[-1].name if applied else None
    expected = state.schema_after(last)
    if expected is None:
        report.notes.append(
            f"the snapshot's history does not reach back to {last}: the database was not "
            "compared (rebuild the snapshot from a database with every migration applied)")
    else:
        report.database = schema_differences(
            physical(expected)["tables"], introspect(db)["tables"],
            expected_side="the migrations", actual_side="the database")
    pending = [s.name for s in statuses if s.state == "pending"]
    if pending:
        report.notes.append(f"{len(pending)} migration(s) not applied yet: {', '.join(pending)}")
    report.entities = schema_differences(
        physical(state.schema)["tables"], physical(db.schema_dict())["tables"],
        expected_side="the migrations", actual_side="the entities")
    return report


def entities_have_unmigrated_changes(db: Any, directory: str | os.PathLike[str]) -> bool:
    """True if the entities differ from the snapshot in anything the database stores.

    A project without a snapshot writes its migrations by hand: nothing to compare.
    """
    if not os.path.exists(os.path.join(directory, SNAPSHOT_NAME)):
        return False
    snapshot = load_state(directory).schema.get("tables", {})
    entities = db.schema_dict().get("tables", {})
    if snapshot.keys() != entities.keys():
        return True
    # Tables equal as written are equal as stored: only the others are made physical (a copy
    # of every table was most of a first migrate's own time on 200 tables).
    differing = [name for name in snapshot if snapshot[name] != entities[name]]
    return (physical({"tables": {n: snapshot[n] for n in differing}})
            != physical({"tables": {n: entities[n] for n in differing}}))


def schema_differences(expected: dict[str, Any], actual: dict[str, Any], *,
                       expected_side: str, actual_side: str) -> list[str]:
    """One line per table, column or key that differs between two ``tables`` dicts."""
    lines = []
    for name in sorted(expected.keys() | actual.keys()):
        if name not in actual:
            lines.append(f"table {name}: in {expected_side}, missing from {actual_side}")
        elif name not in expected:
            lines.append(f"table {name}: in {actual_side}, not in {expected_side}")
        else:
            lines += _table_differences(name, expected[name], actual[name], expected_side,
                                        actual_side)
    return lines


def _table_differences(table: str, expected: dict[str, Any], actual: dict[str, Any],
                       expected_side: str, actual_side: str) -> list[str]:
    lines = []
    if expected.get("primary_key") != actual.get("primary_key"):
        lines.append(f"table {table}: primary key is {_show(actual.get('primary_key'))} in "
                     f"{actual_side}, {_show(expected.get('primary_key'))} in {expected_side}")
    for section, item in _SECTION_ITEM.items():
        mine, theirs = expected.get(section, {}), actual.get(section, {})
        for key in sorted(mine.keys() | theirs.keys()):
            where = f"table {table}: {item} {key}"
            if key not in theirs:
                lines.append(f"{where}: in {expected_side}, missing from {actual_side}")
            elif key not in mine:
                lines.append(f"{where}: in {actual_side}, not in {expected_side}")
            elif mine[key] != theirs[key]:
                lines.append(f"{where}: {_changes(mine[key], theirs[key], expected_side, actual_side)}")
    return lines


def _changes(expected: dict[str, Any], actual: dict[str, Any], expected_side: str,
             actual_side: str) -> str:
    parts = []
    for key in sorted(expected.keys() | actual.keys()):
        if expected.get(key) != actual.get(key):
            parts.append(f"{key} is {_show(actual.get(key))} in {actual_side}, "
                         f"{_show(expected.get(key))} in {expected_side}")
    return "; ".join(parts)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(str(v) for v in value) + ")"
    return "unset" if value is None else repr(value)
