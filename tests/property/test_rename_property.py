"""Property: a rename never becomes a drop and an add, whatever order the columns are declared in.

Hypothesis draws a table with a few columns (declared in a random order), a child table that
references it, and a change: the table renamed, some of its columns renamed, or both, each
declared again in a new random order.  The tables hold rows when the change is made.

- Without a hint, ``makemigrations`` must stop with an error that names the hint to give,
  and write nothing: a rename must never be silently turned into a drop and an add.
- With the hints (command-line style or declared on the entity), the migration renames, and
  after ``migrate`` every row is still there with the same values, under the new names, and
  the live database equals the entities.

This runs on SQLite, PostgreSQL and MariaDB (the ``target`` fixture).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from nextorm import PK, Database, Entity, MigrationError, Opt, Req, Single, makemigrations, migrate
from nextorm.migrations.generate import plan_migration, write_migration
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from nextorm.schema.operations import DropColumn, DropTable

EXAMPLES = int(os.environ.get("NEXTORM_PROPERTY_EXAMPLES", "25"))

#: Column kinds: the annotation, and the value of each of the three rows.
KINDS: dict[str, tuple[Any, Any, list[Any]]] = {
    "int": (Req[int], Req(), [1, -7, 2_000_000]),
    "str": (Req[str], Req(max_len=40), ["alpha", "", "gamma 'quoted'"]),
    "maybe_int": (Opt[int], Opt(), [None, 5, None]),
    "float": (Req[float], Req(), [1.5, -0.25, 3.0]),
}
NAMES = ["title", "body", "views", "rank", "score", "label"]
NEW_NAMES = ["headline", "text", "hits", "position", "points", "caption"]


@dataclass
class Change:
    """One scenario: the columns before, which are renamed, and how the hints are given."""

    columns: dict[str, str]  # name -> kind, in the first declaration order
    new_order: list[str]  # old names, in the second declaration order
    column_renames: dict[str, str] = field(default_factory=dict)
    rename_table: bool = False
    hints: str = "none"  # "none", "options" (--rename...), "declared" (renamed_from=)

    def new_name(self, column: str) -> str:
        return self.column_renames.get(column, column)


@st.composite
def changes(draw: Any) -> Change:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    columns = {name: draw(st.sampled_from(sorted(KINDS))) for name in names}
    new_order = draw(st.permutations(names))
    renamed = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    column_renames = {old: NEW_NAMES[NAMES.index(old)] for old in renamed}
    rename_table = draw(st.booleans())
    if not renamed and not rename_table:
        rename_table = True  # every example renames something
    hints = draw(st.sampled_from(["none", "options", "declared"]))
    return Change(columns, list(new_order), column_renames, rename_table, hints)


def entities(change: Change, after: bool) -> list[type]:
    """Build ``Post`` (table post, or article after a table rename) and ``Comment``."""
    annotations: dict[str, Any] = {"id": PK[int]}
    namespace: dict[str, Any] = {"_table_name_": "post"}
    order = change.new_order if after else list(change.columns)
    for old in order:
        annotation, marker, _ = KINDS[change.columns[old]]
        name = change.new_name(old) if after else old
        declared = after and change.hints == "declared" and name != old
        annotations[name] = annotation
        namespace[name] = marker(renamed_from=old) if declared else marker()
    if after and change.rename_table:
        namespace["_table_name_"] = "article"
        if change.hints == "declared":
            namespace["_renamed_from_"] = "post"
    namespace["__annotations__"] = annotations
    post = type("Post", (Entity,), namespace)
    comment = type("Comment", (Entity,), {
        "__annotations__": {"id": PK[int], "note": Req[str], "post": Single[post]},
        "note": Req(max_len=20)})
    return [post, comment]


def hints(change: Change) -> dict[str, list[str]]:
    if change.hints != "options":
        return {"renames": [], "table_renames": []}
    table = "article" if change.rename_table else "post"
    return {
        "renames": [f"{table}.{old}={new}" for old, new in change.column_renames.items()],
        "table_renames": ["post=article"] if change.rename_table else [],
    }


def bound(target: Any, change: Change, after: bool) -> Database:
    db = Database(entities=entities(change, after))
    target.bind(db)
    db.generate_mapping()
    return db


def insert_rows(db: Database, change: Change) -> None:
    q = db.dialect.quote
    names = list(change.columns)
    for i in range(3):
        values = [KINDS[change.columns[n]][2][i] for n in names]
        columns = ", ".join(q(n) for n in ["id", *names])
        marks = ", ".join("?" for _ in range(len(names) + 1))
        db._execute_dml(f"INSERT INTO {q('post')} ({columns}) VALUES ({marks})", [i + 1, *values])
        db._execute_dml(f"INSERT INTO {q('comment')} ({q('id')}, {q('note')}, {q('post_id')}) "
                        "VALUES (?, ?, ?)", [i + 1, f"on {i + 1}", i + 1])


def read_rows(db: Database, table: str, columns: list[str]) -> list[tuple]:
    q = db.dialect.quote
    sql = f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table)} ORDER BY {q('id')}"
    return [tuple(row) for row in db._execute(sql)]




def check_change(target: Any, change: Change, directory: Path) -> None:
    note(repr(change))
    event(f"hints={change.hints} table={change.rename_table} columns={len(change.column_renames)}")
    first = bound(target, change, after=False)
    try:
        makemigrations(first, directory=directory)
        migrate(first, directory)
        insert_rows(first, change)
        expected = read_rows(first, "post", ["id", *change.columns])
    finally:
        first.disconnect()

    second = bound(target, change, after=True)
    try:
        if change.hints == "none":
            with pytest.raises(MigrationError, match=r"pass --rename(-table)? \S+="):
                makemigrations(second, directory=directory)
            assert sorted(p.name for p in directory.glob("*.py")) == ["0001_initial.py"]
            return
        plan = plan_migration(second, directory, **hints(change))
        note(plan.source)
        assert not [op for op in plan.operations if isinstance(op, DropTable | DropColumn)]
        write_migration(plan, directory)
        migrate(second, directory)
        table = "article" if change.rename_table else "post"
        new_columns = ["id", *(change.new_name(c) for c in change.columns)]
        assert read_rows(second, table, new_columns) == expected
        assert read_rows(second, "comment", ["id", "post_id"]) == [(1, 1), (2, 2), (3, 3)]
        assert introspect(second) == physical(second.schema_dict())
    finally:
        second.disconnect()


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@pytest.mark.slow
@given(change=changes())
def test_a_rename_keeps_the_rows_or_stops_with_the_hint_to_give(target, change):
    directory = Path(tempfile.mkdtemp(prefix="nextorm_rename_")) / "migrations"
    try:
        check_change(target, change, directory)
    finally:
        target.drop_tables()
