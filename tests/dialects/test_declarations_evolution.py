"""makemigrations and migrate carry nextorm 0.5.1's declarations onto tables that hold rows.

Version 1 is a plain entity with rows; version 2 adds a subclass (single-table inheritance:
the discriminator column and the subclass's columns), DateTimeTz, timedelta and sized ints;
version 3 widens a sized int.  After each step the database equals the model, the old rows
are intact (and are the root's class), and the way back down restores version 1.
"""

from __future__ import annotations

import datetime as dt

from nextorm import Database, DateTimeTz, Entity, Opt, Req, db_session
from nextorm.migrations.generate import makemigrations
from nextorm.migrations.runner import MigrationRunner
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from support.migrations import mapped


def school(version: int) -> list[type]:
    v = version

    class Person(Entity):
        name: Req[str] = Req(max_len=40)
        if v >= 2:
            took: Opt[dt.timedelta]
            seen: Opt[DateTimeTz]
            level: Opt[int] = Opt(size=16 if v == 2 else 64)

    if v == 1:
        return [Person]

    class Student(Person):
        school: Req[str] = Req(max_len=30)

    return [Person, Student]


def step(target, directory, version: int) -> Database:
    db = mapped(target, school(version))
    assert makemigrations(db, directory, now=dt.datetime(2026, 1, 1)) is not None
    MigrationRunner(db, directory).migrate()
    assert introspect(db) == physical(db.schema_dict()), f"version {version}"
    assert makemigrations(db, directory) is None
    return db


def test_inheritance_and_new_types_migrate_with_rows(target, tmp_path):
    directory = tmp_path / "migrations"
    db = step(target, directory, 1)
    person = db.entity_classes()[0]
    try:
        with db_session(db):
            person(name="ann")
            person(name="bob")
    finally:
        db.disconnect()
    db = step(target, directory, 2)
    person, student = (e for e in db.entity_classes())
    try:
        q = db.dialect.quote
        kinds = db._execute(f"SELECT {q('name')}, {q('classtype')} FROM {q('person')}")
        assert sorted(kinds) == [("ann", "Person"), ("bob", "Person")]
        with db_session(db):
            student(name="sue", school="north", level=7, took=dt.timedelta(hours=2))
        with db_session(db):
            found = {p.name: type(p).__name__ for p in person.select()}
            assert found == {"ann": "Person", "bob": "Person", "sue": "Student"}
            assert student.get(name="sue").took == dt.timedelta(hours=2)
    finally:
        db.disconnect()
    db = step(target, directory, 3)
    try:
        assert db.schema["person"]["columns"]["level"]["size"] == 64
        with db_session(db):
            assert db.entity_classes()[1].get(name="sue").level == 7
        MigrationRunner(db, directory).migrate("0001")
        rows = db._execute(f"SELECT {q('name')} FROM {q('person')} ORDER BY {q('id')}")
        assert rows == [("ann",), ("bob",), ("sue",)]
    finally:
        db.disconnect()
    db = Database(entities=school(1))
    target.bind(db)
    try:
        db.generate_mapping()
        assert introspect(db) == physical(db.schema_dict())
    finally:
        db.disconnect()
