"""Every golden case applied to a real database holding rows, then undone.

The golden files show what each operation renders to; this test proves the SQL runs on each
server: after ``upgrade`` the database equals the new schema, after ``downgrade`` the old one,
and the rows are still there.
"""

from __future__ import annotations

import pytest

from nextorm import Database
from nextorm.migrations.runner import MigrationRunner
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from nextorm.schema.plan import create_operations
from support.golden import CASES, render


def create(db: Database, schema: dict) -> None:
    with db.transaction():
        for op in create_operations(schema["tables"]):
            for statement in db.dialect.render(op):
                db._run_rendered(statement)


def insert_rows(db: Database) -> None:
    q = db.dialect.quote
    for row in ((1, "ann", "ann@example.com", None), (2, "bo'b", "bob@example.com", 30)):
        db._execute_dml(f"INSERT INTO {q('user')} ({q('id')}, {q('name')}, {q('email')}, "
                        f"{q('age')}) VALUES (?, ?, ?, ?)", list(row))
    db._execute_dml(f"INSERT INTO {q('post')} ({q('id')}, {q('title')}, {q('author_id')}) "
                    "VALUES (?, ?, ?)", [1, "hello", 2])


def rows(db: Database, table: str) -> list[tuple]:
    q = db.dialect.quote
    return sorted(db._execute(f"SELECT {q('id')}, {q('title')}, {q('author_id')} FROM {q(table)}"))


def count(db: Database, table: str) -> int:
    return db._execute(f"SELECT COUNT(*) FROM {db.dialect.quote(table)}")[0][0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_applies_to_rows_and_reverts(case, target, tmp_path):
    old, new, _ = CASES[case]
    db = Database(entities=[])
    target.bind(db)
    try:
        create(db, old)
        insert_rows(db)
        posts = rows(db, "post")
        directory = tmp_path / "migrations"
        directory.mkdir()
        (directory / f"0001_{case}.py").write_text(render(case, db.provider), encoding="utf-8")
        runner = MigrationRunner(db, directory)
        runner.migrate()
        assert introspect(db) == physical(new)
        users = "author" if "author" in new["tables"] else "user"
        assert count(db, users) == 2
        if "post" in new["tables"]:
            assert count(db, "post") == 1
        runner.migrate("zero")
        assert introspect(db) == physical(old)
        assert count(db, "user") == 2
        if "post" in new["tables"]:  # the child rows survive the undo (a SQLite rebuild of
            assert rows(db, "post") == posts  # user must not cascade into them)
    finally:
        db.disconnect()


# -- property: random schema changes run on a real SQLite database holding rows -----------------

from hypothesis import HealthCheck, given, settings  # noqa: E402

from nextorm.migrations.diff import align_columns, diff_schemas, reverse_operations  # noqa: E402
from nextorm.schema.operations import Statement  # noqa: E402
from nextorm.schema.state import walk  # noqa: E402
from support.schema_strategies import SayNo, schemas  # noqa: E402

#: A value of each type that converts to every other (a type change refuses rows that do not).
SAMPLE = {"int": 1, "str": "1", "float": 1.0, "bool": True}


class Refused(Exception):
    """A check found rows the change cannot take (its one-line message)."""


def run_operations(db: Database, ops, tables: dict) -> None:
    """Apply ``ops`` (``tables`` before them) in one transaction, as a migration file would; a
    check may refuse them."""
    sqlite = db.provider == "sqlite"
    if sqlite:
        db._execute_dml("PRAGMA foreign_keys = OFF")
    try:
        with db.transaction():
            for op, state in walk(ops, tables):
                for stmt in db.dialect.render(op, state):
                    run_statement(db, stmt)
    finally:
        if sqlite:
            db._execute_dml("PRAGMA foreign_keys = ON")


def run_statement(db: Database, stmt) -> None:
    if isinstance(stmt, Statement) and stmt.must_return_nothing:
        found = db._execute(stmt.sql, list(stmt.params))
        if found:
            raise Refused(stmt.error.format(bad=found[0][0]))
    elif isinstance(stmt, Statement):
        db._execute_dml(stmt.sql, list(stmt.params))
    else:
        db._execute_dml(stmt)


def applied_or_refused(db: Database, ops, before: dict, after: dict) -> bool:
    """Apply ``ops``: True if the database then matches ``after``, False if a check refused
    them and the database still matches ``before`` (rolled back)."""
    try:
        run_operations(db, ops, align_columns(before, after)["tables"])
    except Refused:
        assert introspect(db) == physical(before)
        return False
    assert introspect(db) == physical(after)
    return True


def seed_rows(db: Database, schema: dict) -> dict:
    q = db.dialect.quote
    for name, table in schema["tables"].items():
        values = {c: (None if col.get("nullable") else SAMPLE[col["type"]])
                  for c, col in table["columns"].items() if c != "id"}
        values["id"] = 1
        db._execute_dml(f"INSERT INTO {q(name)} ({', '.join(q(c) for c in values)}) "
                        f"VALUES ({', '.join('?' for _ in values)})", list(values.values()))
    return {n: db._execute(f"SELECT {q('id')} FROM {q(n)}") for n in schema["tables"]}


def drop_everything(db: Database) -> None:
    q = db.dialect.quote
    if db.provider == "mysql":
        db._execute_dml("SET FOREIGN_KEY_CHECKS = 0")
    for name in db.table_names():
        cascade = " CASCADE" if db.provider == "postgres" else ""
        db._execute_dml(f"DROP TABLE {q(name)}{cascade}")
    if db.provider == "mysql":
        db._execute_dml("SET FOREIGN_KEY_CHECKS = 1")


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(old=schemas(), new=schemas())
def test_random_changes_apply_and_revert(target, old, new):
    """SQLite with a row in every table (type changes there keep values); servers: the DDL.

    A change the rows cannot take (the reverse of ``int NULL`` -> ``str NOT NULL`` meets the
    filler ``''``) is refused by its check and leaves the database as it was.
    """
    db = Database(entities=[])
    target.bind(db)
    try:
        drop_everything(db)
        create(db, old)
        ids = seed_rows(db, old) if db.provider == "sqlite" else {}
        ops = diff_schemas(old, new, SayNo())
        if not applied_or_refused(db, ops, old, new):
            return
        for name in set(ids) & set(new["tables"]):
            assert db._execute(f'SELECT "id" FROM "{name}"') == ids[name]
        applied_or_refused(db, reverse_operations(ops, new), new, old)
    finally:
        db.disconnect()
