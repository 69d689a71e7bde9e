"""SQLite rebuilds: foreign keys are checked once, by the runner, for the whole database.

The generated file no longer runs ``PRAGMA foreign_key_check`` after each rebuilt table; the
runner runs it once before committing (with enforcement off around the migration), so a
rebuild that leaves a broken reference still fails and is rolled back.
"""

from __future__ import annotations

import pytest

from nextorm import Database
from nextorm.errors import MigrationError
from nextorm.migrations.recorder import MigrationRecorder
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

AUTHOR_FK = {"fk_post__author_id": {"columns": ["author_id"], "ref_table": "user",
                                    "ref_columns": ["id"], "on_delete": "CASCADE"}}


def blog(*, fk: bool, title_len: int = 200) -> dict:
    return schema(
        user=table({"name": {"type": "str", "max_len": 80, "nullable": False}}),
        post=table({"title": {"type": "str", "max_len": title_len, "nullable": False},
                    "author_id": {"type": "int", "nullable": False}},
                   foreign_keys=AUTHOR_FK if fk else {}))


@pytest.fixture
def db(sqlite_target):
    database = Database(entities=[])
    sqlite_target.bind(database)
    yield database
    database.disconnect()


def with_orphan(db: Database, old: dict) -> None:
    """Tables of ``old`` where post 2 points at a user that does not exist."""
    create(db, old["tables"])
    insert(db, "user", [{"id": 1, "name": "ann"}])
    db._execute_dml("PRAGMA foreign_keys = OFF")
    insert(db, "post", [{"id": 1, "title": "hi", "author_id": 1},
                        {"id": 2, "title": "lost", "author_id": 99}])
    db._execute_dml("PRAGMA foreign_keys = ON")


def test_rebuild_over_a_broken_reference_fails_and_rolls_back(db, tmp_path):
    old, new = blog(fk=True), blog(fk=True, title_len=120)
    with_orphan(db, old)
    source = migration_source(db, old, new)
    assert "FOREIGN_KEYS_OFF = True" in source
    assert "foreign_key_check" not in source  # the runner checks, once
    write_migration(tmp_path, source)
    with pytest.raises(MigrationError, match=r"rolled back: .*1 row\(s\) violating foreign keys "
                                             r"\(first: post rowid 2 references a missing user"):
        runner(db, tmp_path).migrate()
    assert introspect(db) == physical(old)
    assert rows(db, "post", "id", "author_id") == [(1, 1), (2, 99)]
    assert MigrationRecorder(db).records() == {}


def test_new_foreign_key_over_a_missing_parent_is_refused_before_the_rebuild(db, tmp_path):
    old, new = blog(fk=False), blog(fk=True)
    with_orphan(db, old)
    source = migration_source(db, old, new)
    upgrade = source.split("def downgrade")[0]
    assert upgrade.index("# Check first") < upgrade.index("CREATE TABLE")
    write_migration(tmp_path, source)
    with pytest.raises(MigrationError, match=r"post\(author_id\): 1 row\(s\) point at no "
                                             r"user\(id\) row, so foreign key "
                                             r"fk_post__author_id cannot be added"):
        runner(db, tmp_path).migrate()
    assert introspect(db) == physical(old)
    assert rows(db, "post", "id", "author_id") == [(1, 1), (2, 99)]
