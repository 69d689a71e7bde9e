"""A column type change converts every value or changes nothing, on every server.

Before: SQLite "converted" ``'hello'`` to int by keeping the text in the INTEGER column,
PostgreSQL cut a narrowed VARCHAR, and float -> int rounded 1.5 away.  Now the migration counts
the values that do not convert before its first DDL statement and stops with one line naming the
table, the column and the count; the database stays as it was.
"""

from __future__ import annotations

import pytest

from nextorm import Database
from nextorm.dialects.sqlite.rebuild import rebuild
from nextorm.errors import MigrationError
from nextorm.migrations.recorder import MigrationRecorder
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from nextorm.schema.operations import Statement
from support.migrations import (
    create,
    insert,
    migration_source,
    rows,
    runner,
    schema,
    table,
    write_migration,
)


def post(**views: object) -> dict:
    return schema(post=table({"views": {"nullable": True, **views}}))


def change(db: Database, tmp_path, old: dict, new: dict, values: list) -> str:
    """Create ``old`` holding ``values`` in post.views, write the migration to ``new``."""
    create(db, old["tables"])
    insert(db, "post", [{"id": i, "views": v} for i, v in enumerate(values, 1)])
    source = migration_source(db, old, new)
    write_migration(tmp_path, source)
    return source


def refused(db: Database, tmp_path, old: dict, values: list) -> str:
    """Run the migration, which must fail; return its message after checking nothing changed."""
    with pytest.raises(MigrationError) as failure:
        runner(db, tmp_path).migrate()
    assert introspect(db) == physical(old)
    assert rows(db, "post", "id", "views") == [(i, v) for i, v in enumerate(values, 1)]
    assert MigrationRecorder(db).records() == {}
    return str(failure.value)


CASES = {  # old type, new type, values of which one does not convert, the words of the error
    "text to int": ({"type": "str", "max_len": 20}, {"type": "int"}, ["12", "hello", None],
                    "post.views: 1 row(s) hold text that is not a whole number"),
    "text to float": ({"type": "str", "max_len": 20}, {"type": "float"}, ["1.5e3", "1,5"],
                      "post.views: 1 row(s) hold text that is not a number"),
    "text to date": ({"type": "str", "max_len": 20}, {"type": "date"}, ["2024-01-31", "31/01"],
                     "post.views: 1 row(s) hold text that is not a date"),
    "narrower text": ({"type": "str", "max_len": 120}, {"type": "str", "max_len": 5},
                      ["short", "much too long", "also too long"],
                      "post.views: 2 row(s) are longer than 5 characters"),
    "float to int": ({"type": "float"}, {"type": "int"}, [2.0, 1.5],
                     "post.views: 1 row(s) have a fraction or do not fit int"),
    "int to bool": ({"type": "int"}, {"type": "bool"}, [0, 1, 2],
                    "post.views: 1 row(s) hold numbers other than 0 and 1"),
    "datetime to date": ({"type": "datetime"}, {"type": "date"},
                         ["2024-01-31 00:00:00", "2024-01-31 10:30:00"],
                         "post.views: 1 row(s) have a time of day other than midnight"),
    "fewer decimal places": ({"type": "decimal", "precision": 10, "scale": 2},
                             {"type": "decimal", "precision": 10, "scale": 1}, ["1.50", "1.25"],
                             "post.views: 1 row(s) have more than 1 decimal places"),
}


@pytest.mark.parametrize("case", CASES)
def test_value_that_does_not_convert_stops_the_migration_before_any_change(db, tmp_path, case):
    before, after, values, words = CASES[case]
    old, new = post(**before), post(**after)
    change(db, tmp_path, old, new, values)
    stored = rows(db, "post", "id", "views")
    with pytest.raises(MigrationError) as failure:
        runner(db, tmp_path).migrate()
    message = str(failure.value)
    assert words in message and "\n" not in message
    assert "first" in message  # says what to do
    assert introspect(db) == physical(old)
    assert rows(db, "post", "id", "views") == stored
    assert MigrationRecorder(db).records() == {}


CONVERTING = {  # old type, new type, values that all convert, what the new column holds
    "text to int": ({"type": "str", "max_len": 20}, {"type": "int"},
                    ["12", "-3", "+5", "007", None], [12, -3, 5, 7, None]),
    "float to int": ({"type": "float"}, {"type": "int"}, [2.0, -7.0], [2, -7]),
    "narrower text": ({"type": "str", "max_len": 120}, {"type": "str", "max_len": 5},
                      ["short", "ok"], ["short", "ok"]),
    "int to text": ({"type": "int"}, {"type": "str", "max_len": 3}, [12, -5], ["12", "-5"]),
    "bool to text and back": ({"type": "bool"}, {"type": "str", "max_len": 5}, [True, False],
                              ["1", "0"]),  # PostgreSQL's own cast would give 'true'
    "no conversion, only NULLs": ({"type": "int"}, {"type": "date"}, [None], [None]),
}


@pytest.mark.parametrize("case", CONVERTING)
def test_values_that_convert_arrive_as_the_new_type_and_come_back(db, tmp_path, case):
    before, after, values, converted = CONVERTING[case]
    old, new = post(**before), post(**after)
    change(db, tmp_path, old, new, values)
    runner(db, tmp_path).migrate()
    assert introspect(db) == physical(new)
    got = [v for _, v in rows(db, "post", "id", "views")]
    assert got == converted
    assert [type(v) for v in got] == [type(v) for v in converted]  # 12, not '12'
    runner(db, tmp_path).migrate("zero")
    assert introspect(db) == physical(old)


def test_file_says_which_changes_can_lose_data(db, tmp_path):
    narrowing = change(db, tmp_path, post(type="str", max_len=120),
                       post(type="str", max_len=80), [])
    assert "This can lose data: values longer than 80 characters would be cut" in narrowing
    assert "# Check first: every post.views value must convert to str(80)" in narrowing
    rounding = migration_source(db, post(type="float"), post(type="int"))
    assert "This can lose data: fractions would be rounded away" in rounding
    widening = migration_source(db, post(type="int"), post(type="float"))
    assert "lose data" not in widening.split("def downgrade")[0]
    assert "Check first" not in widening.split("def downgrade")[0]


def test_postgres_does_not_cut_a_narrowed_text(postgres_target, tmp_path):
    db = Database(entities=[])
    postgres_target.bind(db)
    try:
        old = post(type="str", max_len=40)
        change(db, tmp_path, old, post(type="str", max_len=4), ["four", "fifteen letters"])
        message = refused(db, tmp_path, old, ["four", "fifteen letters"])
        assert "post.views: 1 row(s) are longer than 4 characters" in message
    finally:
        db.disconnect()


def test_mariadb_outside_strict_mode_refuses_too(mysql_target, tmp_path):
    db = Database(entities=[])
    mysql_target.bind(db)
    try:
        assert "STRICT_TRANS_TABLES" in db._execute("SELECT @@SESSION.sql_mode")[0][0]
        db._execute_dml("SET SESSION sql_mode = ''")  # where 'hello' would become 0
        old = post(type="str", max_len=20)
        change(db, tmp_path, old, post(type="int"), ["12", "hello"])
        message = refused(db, tmp_path, old, ["12", "hello"])
        assert "post.views: 1 row(s) hold text that is not a whole number" in message
    finally:
        db.disconnect()


def test_int_range_is_the_servers(db, tmp_path):
    """3000000000 fits SQLite's 64-bit INTEGER but not the 32-bit INT of the other two."""
    old, new = post(type="str", max_len=20), post(type="int")
    change(db, tmp_path, old, new, ["3000000000"])
    if db.provider == "sqlite":
        runner(db, tmp_path).migrate()
        assert rows(db, "post", "id", "views") == [(1, 3000000000)]
    else:
        assert "1 row(s) hold text that is not a whole number that fits int" in refused(
            db, tmp_path, old, ["3000000000"])


def test_sqlite_rebuild_checks_the_copied_values_too(sqlite_target):
    """The copy's own check catches a value the checks at the start did not foresee."""
    db = Database(entities=[])
    sqlite_target.bind(db)
    try:
        old, new = post(type="str", max_len=20), post(type="int")
        create(db, old["tables"])
        insert(db, "post", [{"id": 1, "views": "hello"}])
        statements = rebuild(db.dialect, "post", old["tables"]["post"], new["tables"]["post"])
        checks = [s for s in statements if isinstance(s, Statement) and s.must_return_nothing]
        assert [c.in_place for c in checks] == [True]
        with pytest.raises(AssertionError, match="did not become int"), db.transaction():
            for statement in statements:
                if isinstance(statement, Statement) and statement.must_return_nothing:
                    found = db._execute(statement.sql)
                    assert not found, statement.error.format(bad=found[0][0])
                else:
                    db._execute_dml(statement)
        assert introspect(db) == physical(old)
        assert rows(db, "post", "id", "views") == [(1, "hello")]
    finally:
        db.disconnect()
