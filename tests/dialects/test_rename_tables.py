"""Renaming an entity class keeps every row, including the links of its many-to-many tables.

``class Post`` becomes ``class Article`` (``_renamed_from_ = "post"``) while ``post``,
``tag`` and the join table ``post_tag`` hold rows.  The join table's name and key column are
derived from the table name, so they follow it (``article_tag.article_id``): a drop and a
create there would lose every link.  Undoing the migration brings the old names back with
the same rows.  On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from nextorm import Database, Entity, Req, Set, makemigrations, migrate
from nextorm.migrations.generate import plan_migration
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from nextorm.schema.operations import DropColumn, DropTable, RenameColumn, RenameTable


def blog(target, renamed: bool) -> Database:
    namespace = {"__annotations__": {"title": Req[str], "tags": Set["Tag"]}}
    if renamed:
        namespace["_renamed_from_"] = "post"
    post = type("Article" if renamed else "Post", (Entity,), namespace)
    tag = type("Tag", (Entity,), {"__annotations__": {"name": Req[str], "posts": Set[post]}})
    db = Database(entities=[post, tag])
    target.bind(db)
    db.generate_mapping()
    return db


def rows(db: Database, table: str, columns: list[str]) -> list[tuple]:
    q = db.dialect.quote
    return db._execute(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table)} "
                       f"ORDER BY {', '.join(q(c) for c in columns)}")


def test_a_renamed_entity_takes_its_join_table_and_rows_along(target, tmp_path):
    directory = tmp_path / "migrations"
    before = blog(target, renamed=False)
    makemigrations(before, directory=directory)
    migrate(before, directory)
    for sql, params in [("INSERT INTO post (id, title) VALUES (?, ?)", [1, "Hello"]),
                        ("INSERT INTO tag (id, name) VALUES (?, ?), (?, ?)", [1, "a", 2, "b"]),
                        ("INSERT INTO post_tag (post_id, tag_id) VALUES (?, ?), (?, ?)",
                         [1, 1, 1, 2])]:
        before._execute_dml(sql, params)
    before.disconnect()

    after = blog(target, renamed=True)
    plan = plan_migration(after, directory)
    assert plan.operations[:3] == [RenameTable("post", "article"),
                                   RenameTable("post_tag", "article_tag"),
                                   RenameColumn("article_tag", "post_id", "article_id")]
    assert not [op for op in plan.operations if isinstance(op, DropTable | DropColumn)]
    makemigrations(after, directory=directory)
    migrate(after, directory)
    assert introspect(after) == physical(after.schema_dict())
    assert rows(after, "article", ["id", "title"]) == [(1, "Hello")]
    assert rows(after, "article_tag", ["article_id", "tag_id"]) == [(1, 1), (1, 2)]

    migrate(after, directory, target=1)  # undo: the old names, the same rows
    assert rows(after, "post_tag", ["post_id", "tag_id"]) == [(1, 1), (1, 2)]
    assert rows(after, "post", ["id", "title"]) == [(1, "Hello")]
    after.disconnect()
