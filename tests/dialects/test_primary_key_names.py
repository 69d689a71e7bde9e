"""PostgreSQL names a primary key ``<table>_pkey``, clipping the table part to fit 63 bytes.

A migration that changes the primary key drops the constraint by that name, so it must clip
the way PostgreSQL does: at 59 bytes and more the plain ``<table>_pkey`` does not exist.
"""

from __future__ import annotations

import pytest

from nextorm import Database
from nextorm.dialects.postgres import PostgresDialect
from nextorm.migrations.questioner import Questioner
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
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

NAMES = {
    "59 bytes": "m" * 59,
    "63 bytes": "m" * 63,
    "63 bytes, clipped inside a 2-byte letter": "x" + "é" * 31,
}


def membership(primary_key: list[str]) -> dict:
    return table({"user_id": {"type": "int", "nullable": False},
                  "team": {"type": "str", "max_len": 40, "nullable": False}},
                 primary_key=primary_key)


def server_pkey_name(db: Database, table_name: str) -> str:
    return db._execute("SELECT conname FROM pg_constraint WHERE contype = 'p' "
                       "AND conrelid = to_regclass(?)", [db.dialect.quote(table_name)])[0][0]


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_primary_key_change_on_a_long_table_name(postgres_target, tmp_path, name):
    db = Database(entities=[])
    postgres_target.bind(db)
    try:
        old = schema(**{name: membership(["user_id"])})
        new = schema(**{name: membership(["user_id", "team"])})
        create(db, old["tables"])
        insert(db, name, [{"user_id": 1, "team": "a"}, {"user_id": 2, "team": "b"}])
        write_migration(tmp_path, migration_source(db, old, new))
        runner(db, tmp_path).migrate()
        assert PostgresDialect().primary_key_name(name) == server_pkey_name(db, name)
        assert introspect(db) == physical(new)
        runner(db, tmp_path).migrate("zero")
        assert introspect(db) == physical(old)
        assert rows(db, name, "user_id", "team") == [(1, "a"), (2, "b")]
    finally:
        db.disconnect()


def test_renamed_long_table_keeps_a_primary_key_a_later_change_finds(postgres_target, tmp_path):
    before, after = "r" * 60, "s" * 62
    db = Database(entities=[])
    postgres_target.bind(db)
    try:
        old = schema(**{before: membership(["user_id"])})
        renamed = schema(**{after: membership(["user_id"])})
        new = schema(**{after: membership(["user_id", "team"])})
        create(db, old["tables"])
        insert(db, before, [{"user_id": 1, "team": "a"}])
        write_migration(tmp_path, migration_source(
            db, old, renamed, Questioner(table_renames=[f"{before}={after}"])))
        write_migration(tmp_path, migration_source(db, renamed, new), "0002_key.py")
        runner(db, tmp_path).migrate()
        assert server_pkey_name(db, after) == PostgresDialect().primary_key_name(after)
        assert introspect(db) == physical(new)
        runner(db, tmp_path).migrate("zero")
        assert introspect(db) == physical(old)
        assert server_pkey_name(db, before) == PostgresDialect().primary_key_name(before)
    finally:
        db.disconnect()
