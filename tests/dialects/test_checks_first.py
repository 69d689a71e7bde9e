"""A migration that cannot succeed on the data stops before its first DDL statement.

The checks of a whole ``upgrade`` or ``downgrade`` run at its start, so MariaDB, which commits
each DDL statement at once, is never left half-way by a change the rows could not take: the
example of issue 8 is undoing the drop of a unique column, whose filler value would repeat.
"""

from __future__ import annotations

import pytest

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

NAME = {"type": "str", "max_len": 80, "nullable": False}
EMAIL = {"type": "str", "max_len": 255, "nullable": False}


def users(*, email: bool, unique_name: bool = False) -> dict:
    columns = {"name": NAME, **({"email": EMAIL} if email else {})}
    uniques = {"unq_user__email": {"columns": ["email"]}} if email else {}
    if unique_name:
        uniques["unq_user__name"] = {"columns": ["name"]}
    return schema(user=table(columns, uniques=uniques))


def first_statement_is_a_check(source: str, function: str) -> None:
    body = source.split(f"def {function}(db):")[1].lstrip("\n")
    assert body.startswith("    # Check first:"), body[:200]


def test_undoing_a_dropped_unique_column_is_refused_up_front(db, tmp_path):
    old, new = users(email=True), users(email=False)
    create(db, old["tables"])
    insert(db, "user", [{"id": 1, "name": "ann", "email": "ann@example.com"},
                        {"id": 2, "name": "bob", "email": "bob@example.com"}])
    source = migration_source(db, old, new)
    first_statement_is_a_check(source, "downgrade")
    write_migration(tmp_path, source)
    runner(db, tmp_path).migrate()
    with pytest.raises(MigrationError) as failure:
        runner(db, tmp_path).migrate("zero")
    message = str(failure.value)
    assert ("user.email: all 2 rows would hold the same value '', but unique key "
            "unq_user__email allows each value once") in message
    assert "edit this migration" in message and "\n" not in message
    assert introspect(db) == physical(new)  # nothing ran, on MariaDB too
    assert rows(db, "user", "id", "name") == [(1, "ann"), (2, "bob")]
    assert [r.status for r in MigrationRecorder(db).records().values()] == ["applied"]


def test_undoing_a_dropped_unique_column_works_with_one_row(db, tmp_path):
    old, new = users(email=True), users(email=False)
    create(db, old["tables"])
    insert(db, "user", [{"id": 1, "name": "ann", "email": "ann@example.com"}])
    write_migration(tmp_path, migration_source(db, old, new))
    runner(db, tmp_path).migrate()
    runner(db, tmp_path).migrate("zero")
    assert introspect(db) == physical(old)
    assert rows(db, "user", "id", "email") == [(1, "")]


def test_new_unique_key_over_duplicates_is_refused_before_any_change(db, tmp_path):
    old, new = users(email=False), users(email=False, unique_name=True)
    create(db, old["tables"])
    insert(db, "user", [{"id": 1, "name": "ann"}, {"id": 2, "name": "ann"},
                        {"id": 3, "name": "bob"}])
    source = migration_source(db, old, new)
    first_statement_is_a_check(source, "upgrade")
    write_migration(tmp_path, source)
    with pytest.raises(MigrationError, match=r"user\.name: 2 row\(s\) share their value with "
                                             r"another row, so unique key unq_user__name cannot "
                                             r"be added; make the values unique"):
        runner(db, tmp_path).migrate()
    assert introspect(db) == physical(old)
    assert MigrationRecorder(db).records() == {}


def test_undoing_a_dropped_required_reference_is_refused_up_front(db, tmp_path):
    """Re-adding post.author_id gives every row 0, and no user has id 0."""
    author = {"author_id": {"type": "int", "nullable": False}}
    fk = {"fk_post__author_id": {"columns": ["author_id"], "ref_table": "user",
                                 "ref_columns": ["id"], "on_delete": "CASCADE"}}
    index = {"idx_post__author_id": {"columns": ["author_id"], "unique": False}}
    user = table({"name": NAME})
    old = schema(user=user, post=table(author, foreign_keys=fk, indexes=index))
    new = schema(user=user, post=table({}))
    create(db, old["tables"])
    insert(db, "user", [{"id": 1, "name": "ann"}])
    insert(db, "post", [{"id": 1, "author_id": 1}])
    source = migration_source(db, old, new)
    first_statement_is_a_check(source, "downgrade")
    write_migration(tmp_path, source)
    runner(db, tmp_path).migrate()
    with pytest.raises(MigrationError, match=r"post\(author_id\): 1 row\(s\) point at no "
                                             r"user\(id\) row, so foreign key "
                                             r"fk_post__author_id cannot be added"):
        runner(db, tmp_path).migrate("zero")
    assert introspect(db) == physical(new)
    assert rows(db, "post", "id") == [(1,)]
