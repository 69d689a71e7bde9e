"""``db.migrate()``: nextorm 0.5.1's auto-migration without files, on the three servers."""

from __future__ import annotations

import pytest

from nextorm import PK, Entity, MigrationError, Opt, Req, Set, Single
from nextorm.migrations.recorder import MigrationRecorder


def entities(*, bio: bool = False) -> list[type]:
    """Fresh entity classes: author and post, with ``author.bio`` when asked."""
    namespace: dict = {"PK": PK, "Entity": Entity, "Opt": Opt, "Req": Req, "Set": Set,
                       "Single": Single}
    exec(
        "class Author(Entity):\n"
        "    id: PK[int]\n"
        "    name: Req[str]\n"
        + ("    bio: Opt[str]\n" if bio else "")
        + "    posts: Set['Post']\n"
        "class Post(Entity):\n"
        "    id: PK[int]\n"
        "    title: Req[str]\n"
        "    author: Single[Author]\n", namespace)
    return [namespace["Author"], namespace["Post"]]


def migrated(make_db, **options):
    db = make_db(entities(**options))
    with pytest.warns(UserWarning, match="for development only"):
        ran = db.migrate()
    return db, ran


def add_rows(db) -> None:
    db._execute_dml('INSERT INTO author (id, name) VALUES (1, ?), (2, ?)', ["Ada", "Grace"])
    db._execute_dml("INSERT INTO post (id, title, author_id) VALUES (1, ?, 2)", ["Notes"])


def rows(db) -> list[tuple]:
    return [tuple(r) for r in db._execute(
        "SELECT author.id, author.name, post.title FROM author LEFT JOIN post "
        "ON post.author_id = author.id ORDER BY author.id")]


def test_creates_the_tables_then_has_nothing_to_do(make_db):
    db, ran = migrated(make_db)
    assert any("CREATE TABLE" in sql and "author" in sql for sql in ran)
    assert {"author", "post"} <= set(db.table_names())
    with pytest.warns(UserWarning):
        assert db.migrate() == []  # the live schema now equals the entities


def test_adds_a_column_and_keeps_the_rows(make_db):
    db, _ = migrated(make_db)
    add_rows(db)
    before = rows(db)
    db2, ran = migrated(make_db, bio=True)
    assert ran and any("bio" in sql for sql in ran)
    assert rows(db2) == before == [(1, "Ada", None), (2, "Grace", "Notes")]
    assert db2._execute("SELECT bio FROM author ORDER BY id") == [("",), ("",)]


def test_refuses_to_drop_a_column_unless_told(make_db):
    first, _ = migrated(make_db)
    add_rows(first)
    db, _ = migrated(make_db, bio=True)
    db._execute_dml("UPDATE author SET bio = ? WHERE id = 1", ["pioneer"])
    smaller = make_db(entities())
    with pytest.warns(UserWarning), pytest.raises(
            MigrationError, match=r"db\.migrate\(\) would destroy data: it drops column "
                                  r"author\.bio.*allow_destructive=True"):
        smaller.migrate()
    assert smaller._execute("SELECT bio FROM author WHERE id = 1") == [("pioneer",)]
    with pytest.warns(UserWarning):
        ran = smaller.migrate(allow_destructive=True)
    assert any("bio" in sql for sql in ran)
    assert rows(smaller) == [(1, "Ada", None), (2, "Grace", "Notes")]
    with pytest.raises(Exception):  # noqa: B017 - each server words it differently
        smaller._execute("SELECT bio FROM author")


def test_never_drops_the_history_or_unmapped_tables(make_db):
    db = make_db(entities())
    MigrationRecorder(db).ensure_table()
    db._execute_dml("CREATE TABLE other_app (id INTEGER PRIMARY KEY)")
    db._execute_dml("INSERT INTO other_app (id) VALUES (7)")
    with pytest.warns(UserWarning):
        db.migrate(allow_destructive=True)
    assert {"_nextorm_migrations", "other_app", "author", "post"} <= set(db.table_names())
    assert db._execute("SELECT id FROM other_app") == [(7,)]
