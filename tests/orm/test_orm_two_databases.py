"""The same entity classes used with two Database objects bound to different servers."""

from __future__ import annotations

import pytest

from nextorm import Database, SessionError, db_session
from support.orm_models import MODELS


def mapped(target):
    db = Database(entities=[MODELS.User, MODELS.Post, MODELS.Tag, MODELS.Sample])
    target.bind(db)
    db.generate_mapping(create_tables=True)
    return db


@pytest.fixture
def two_dbs(sqlite_target, postgres_target, mysql_target):
    dbs = [mapped(sqlite_target), mapped(postgres_target), mapped(mysql_target)]
    yield dbs
    for db in dbs:
        db.disconnect()


def test_each_session_writes_to_its_own_database(two_dbs):
    User = MODELS.User
    for i, db in enumerate(two_dbs):
        with db_session(db):
            for n in range(i + 1):
                User(name=f"{db.provider}{n}", email=f"{n}@{db.provider}")
    for i, db in enumerate(two_dbs):
        with db_session(db):
            assert sorted(u.name for u in User.select()) == [
                f"{db.provider}{n}" for n in range(i + 1)]
            assert User[1].name == f"{db.provider}0"


def test_sessions_on_two_databases_can_be_open_at_once(two_dbs):
    lite, pg, _ = two_dbs
    User = MODELS.User
    with db_session(lite):
        ann_lite = User(name="ann", email="a@x")
        with db_session(pg):
            ann_pg = User(name="ann", email="a@x")
        assert ann_pg.id == 1
    assert ann_lite.id == 1 and ann_lite is not ann_pg
    with db_session(pg):
        assert User[1] is not ann_pg  # another session, another identity map


def test_bare_db_session_refuses_to_guess(two_dbs):
    with pytest.raises(SessionError, match=r"User is mapped in \d+ databases: choose one with "
                                           r"'with db_session\(db\):'"):
        with db_session:
            MODELS.User.select().count()
