"""``Vec`` columns and ``unsigned`` ints change with rows in the table, on the three servers.

PostgreSQL holds both rules in a CHECK (``CHECK (col >= 0)``, ``CHECK (cardinality(col) =
n)``), which an ALTER COLUMN does not replace: a migration drops the old CHECK and adds the new
one.  MariaDB holds them in the column (``UNSIGNED``, the ``nextorm:vector(n)`` comment),
SQLite in its declared type (the table rebuild).  A change the rows break (a row below 0 for
an unsigned column, vectors of the old length for new dimensions) is refused before any DDL,
with one line naming the table, the column and the row count.  After each step the database
equals the model, and a second makemigrations finds nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nextorm import Database, Entity, Opt, Req, Vec, db_session
from nextorm.errors import MigrationError
from nextorm.migrations.generate import makemigrations
from nextorm.migrations.runner import MigrationRunner
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from support.migrations import mapped


def docs(version: int) -> list[type]:
    """1: plain; 2: a required Vec with a default, an optional one, ``score`` unsigned;
    3: the Vec's dimensions 3 -> 4; 4: a required Vec without a default (``--default``)."""
    v = version

    class Doc(Entity):
        title: Req[str] = Req(max_len=20)
        score: Req[int] = Req(unsigned=v >= 2)
        if v >= 2:
            embedding: Req[Vec] = Req(dimensions=4 if v >= 3 else 3, default=[0, 0.5, 1] + (
                [2] if v >= 3 else []))
            sketch: Opt[Vec[2]]
        if v >= 4:
            pair: Req[Vec[2]]

    return [Doc]


def bound(target, version: int) -> Database:
    return mapped(target, docs(version))


def matches_model(db: Database, version: int) -> None:
    model = Database(entities=docs(version))
    model.bind("sqlite", ":memory:")
    try:
        model.generate_mapping()
        assert introspect(db) == physical(model.schema_dict()), version
    finally:
        model.disconnect()


def made(target, directory: Path, version: int, **options) -> Database:
    """makemigrations for ``version`` writes a file; a second run finds nothing."""
    db = bound(target, version)
    assert makemigrations(db, directory, now=dt.datetime(2026, 1, 1), **options) is not None
    assert makemigrations(db, directory) is None
    return db


def started(target, directory: Path, version: int, *docs: dict) -> None:
    """Make and apply the first migration, at ``version``; then write ``docs``."""
    db = made(target, directory, version)
    try:
        MigrationRunner(db, directory).migrate()
        with db_session(db):
            for values in docs:
                db.entities["Doc"](**values)
    finally:
        db.disconnect()


def refused(db: Database, directory: Path, target_name: str | None, words: str,
            version: int) -> None:
    """The migration stops before any DDL with one line holding ``words``."""
    with pytest.raises(MigrationError) as failure:
        MigrationRunner(db, directory).migrate(target_name)
    message = str(failure.value)
    assert words in message and "\n" not in message, message
    matches_model(db, version)


def scores(db: Database) -> list[tuple]:
    q = db.dialect.quote
    return db._execute(f"SELECT {q('title')}, {q('score')} FROM {q('doc')} ORDER BY {q('id')}")


def test_vec_and_unsigned_migrate_with_rows_both_ways(target, tmp_path):
    directory = tmp_path / "migrations"
    started(target, directory, 1, dict(title="a", score=1), dict(title="b", score=0))

    db = made(target, directory, 2)  # a Vec added to a table with rows; score unsigned
    try:
        MigrationRunner(db, directory).migrate()
        matches_model(db, 2)
        with db_session(db):
            got = {d.title: (d.score, d.embedding, d.sketch) for d in db.entities["Doc"].select()}
            assert got == {"a": (1, [0.0, 0.5, 1.0], None), "b": (0, [0.0, 0.5, 1.0], None)}
            db.entities["Doc"].get(title="a").sketch = [1.5, -2]
        with db_session(db):
            assert db.entities["Doc"].get(title="a").sketch == [1.5, -2.0]
    finally:
        db.disconnect()

    db = made(target, directory, 3)  # new dimensions: the rows hold 3 floats
    try:
        refused(db, directory, None,
                "doc.embedding: 2 row(s) hold vectors that are not 4 floats long", 2)
        assert [t for t, _ in scores(db)] == ["a", "b"]
        db._execute_dml(f"DELETE FROM {db.dialect.quote('doc')}")
        MigrationRunner(db, directory).migrate()  # an empty table takes it
        matches_model(db, 3)
        with db_session(db):
            db.entities["Doc"](title="c", score=3, embedding=[1, 2, 3, 4])
        with db_session(db):
            assert db.entities["Doc"].get(title="c").embedding == [1.0, 2.0, 3.0, 4.0]
        refused(db, directory, "0002",  # back to 3 floats: the row holds 4
                "doc.embedding: 1 row(s) hold vectors that are not 3 floats long", 3)
        db._execute_dml(f"DELETE FROM {db.dialect.quote('doc')}")
        MigrationRunner(db, directory).migrate("0002")
        matches_model(db, 2)
    finally:
        db.disconnect()
    db = bound(target, 2)
    try:
        with db_session(db):
            db.entities["Doc"](title="d", score=7, embedding=[1, 1, 1])
            db.entities["Doc"](title="e", score=2147483647, embedding=[0, 0, 0])
        MigrationRunner(db, directory).migrate("0001")  # unsigned removed, rows kept
        matches_model(db, 1)
        assert scores(db) == [("d", 7), ("e", 2147483647)]
        q = db.dialect.quote
        db._execute_dml(f"INSERT INTO {q('doc')} ({q('title')}, {q('score')}) VALUES (?, ?)",
                        ["neg", -1])
        refused(db, directory, None, "doc.score: 1 row(s) hold numbers below 0", 1)
        db._execute_dml(f"DELETE FROM {q('doc')} WHERE {q('score')} < 0")
        MigrationRunner(db, directory).migrate("0002")
        matches_model(db, 2)
        with db_session(db):
            assert {d.title: (d.score, d.embedding) for d in db.entities["Doc"].select()} == {
                "d": (7, [0.0, 0.5, 1.0]), "e": (2147483647, [0.0, 0.5, 1.0])}
    finally:
        db.disconnect()


def test_a_required_vec_without_default_takes_the_given_value(target, tmp_path):
    directory = tmp_path / "migrations"
    started(target, directory, 3, dict(title="a", score=1, embedding=[1, 2, 3, 4]))
    with pytest.raises(MigrationError, match=r"doc.pair=\[1, 2, 3\]: .*2 floats"):
        made(target, directory, 4, defaults={"doc.pair": "[1, 2, 3]"})
    db = made(target, directory, 4, defaults={"doc.pair": "[0.25, -1]"})
    try:
        MigrationRunner(db, directory).migrate()
        matches_model(db, 4)
        with db_session(db):
            assert db.entities["Doc"].get(title="a").pair == [0.25, -1.0]
        MigrationRunner(db, directory).migrate("0001")
        matches_model(db, 3)
        MigrationRunner(db, directory).migrate()
        with db_session(db):  # the way back up gives the row the value again
            assert db.entities["Doc"].get(title="a").pair == [0.25, -1.0]
    finally:
        db.disconnect()


def test_renamed_tables_and_columns_keep_their_checks_changeable(db, tmp_path):
    """PostgreSQL names a column's CHECK after its table and column: a rename renames it, so
    a later change of ``unsigned`` or of dimensions finds it (the other servers: no CHECK)."""
    from nextorm.migrations.questioner import Questioner
    from support.migrations import create, insert, migration_source, rows, schema, table

    def columns(n: dict, v: dict) -> dict:
        return {"n": {"type": "int", "nullable": False, **n}, "v": {"type": "vector", "nullable": True, **v}}

    start = schema(t=table(columns({"unsigned": True}, {"dimensions": 3})))
    steps = [  # each schema after the one before, and the renames that lead to it
        (schema(u=table(columns({"unsigned": True}, {"dimensions": 3}))),
         Questioner(table_renames=["t=u"])),
        (schema(u=table({"m" if k == "n" else "w": c for k, c in columns(
            {"unsigned": True}, {"dimensions": 3}).items()})),
         Questioner(renames=["u.n=m", "u.v=w"])),
        (schema(u=table({"m": {"type": "int", "nullable": False}, "w": {"type": "vector", "nullable": True,
                                                      "dimensions": 2}})), None),
    ]
    create(db, start["tables"])
    insert(db, "t", [{"id": 1, "n": 5, "v": None}])
    directory, before = tmp_path / "migrations", start
    directory.mkdir()
    for i, (after, questioner) in enumerate(steps, 1):
        source = migration_source(db, before, after, questioner)
        (directory / f"000{i}_step.py").write_text(source, encoding="utf-8")
        before = after
    MigrationRunner(db, directory).migrate()
    assert introspect(db) == physical(before)
    insert(db, "u", [{"id": 2, "m": -4, "w": None}])
    with pytest.raises(MigrationError, match=r"u.m: 1 row\(s\) hold numbers below 0"):
        MigrationRunner(db, directory).migrate("0002")
    db._execute_dml(f"DELETE FROM {db.dialect.quote('u')} WHERE {db.dialect.quote('id')} = 2")
    MigrationRunner(db, directory).migrate("zero")
    assert introspect(db) == physical(start)
    assert rows(db, "t", "id", "n") == [(1, 5)]


def test_makemigrations_writes_a_vec_table_that_migrate_creates(target, tmp_path):
    directory = tmp_path / "migrations"
    db = bound(target, 3)
    try:
        path = makemigrations(db, directory, now=dt.datetime(2026, 1, 1))
        assert path is not None
        text = Path(path).read_text(encoding="utf-8")
        assert db.dialect.declared_type({"type": "vector", "dimensions": 4}) in text
        assert db.dialect.declared_type({"type": "vector", "dimensions": 2}) in text
        assert makemigrations(db, directory) is None
        MigrationRunner(db, directory).migrate()
        matches_model(db, 3)
        assert makemigrations(db, directory) is None
        with db_session(db):
            db.entities["Doc"](title="a", score=1, embedding=[1, 2, 3, 4], sketch=[5, 6])
        with db_session(db):
            doc = db.entities["Doc"].get(title="a")
            assert (doc.embedding, doc.sketch) == ([1.0, 2.0, 3.0, 4.0], [5.0, 6.0])
        MigrationRunner(db, directory).migrate("zero")
        assert introspect(db)["tables"] == {}
    finally:
        db.disconnect()
