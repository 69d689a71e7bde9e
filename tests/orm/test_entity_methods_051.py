"""nextorm 0.5.1's per-object methods on SQLite, PostgreSQL and MariaDB: ``obj.flush()``,
``obj.commit()``, ``obj.delete()`` clearing the key, and ``Entity.drop_table()``."""

from __future__ import annotations

import pytest

from nextorm import db_session
from nextorm.errors import NextORMError, ValidationError


def test_flush_writes_the_object_and_gives_it_its_key(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="ann@x")
        assert ann.id is None
        ann.flush()
        assert ann.id is not None
        rows = orm.db.select_raw("SELECT name FROM " + orm.db.dialect.quote("user")
                                 + " WHERE id = ?", [ann.id])
        assert rows == [{"name": "ann"}]


def test_commit_makes_the_row_visible_to_another_session_even_if_a_later_one_fails(orm):
    with pytest.raises(RuntimeError), db_session(orm.db):
        ann = orm.User(name="ann", email="ann@x")
        ann.commit()
        orm.User(name="bob", email="bob@x")
        raise RuntimeError("after the commit")
    with db_session(orm.db):
        assert sorted(u.name for u in orm.User.select()) == ["ann"]


def test_delete_removes_the_row_and_clears_the_key(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="ann@x")
        bob = orm.User(name="bob", email="bob@x")
        ann.flush()
        ann.delete()
        assert ann.id is None
    with db_session(orm.db):
        assert [u.name for u in orm.User.select()] == ["bob"]
        assert bob.id is not None


def test_drop_table_refuses_a_table_with_rows_unless_told(orm):
    with db_session(orm.db):
        orm.Tag(name="t")
    with pytest.raises(NextORMError, match="holds rows"):
        orm.Tag.drop_table()
    assert "tag" in orm.db.table_names()
    joins = [t for t in orm.db.table_names() if "tag" in t and t != "tag"]
    assert len(joins) == 1  # the many-to-many join table references tag: it goes first
    orm.db.drop_table(joins[0], with_all_data=True)
    orm.Tag.drop_table(with_all_data=True)
    assert "tag" not in orm.db.table_names()


def test_drop_table_of_an_entity_mapped_nowhere_is_one_line(make_db):
    from nextorm import Database, Entity, Req

    class Lonely(Entity):
        name: Req[str]

    Database(entities=[Lonely])  # declared, never bound
    with pytest.raises(ValidationError, match=r"Lonely.drop_table\(\): the entity is mapped in "
                                              r"no bound database"):
        Lonely.drop_table()
