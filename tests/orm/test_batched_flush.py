"""The batched flush: same-shape INSERTs and UPDATEs go as few statements, keys land right.

Every test runs on SQLite, PostgreSQL and MariaDB (the ``orm`` fixture), each of which learns
the keys of a batch its own way (``nextorm/orm/batch.py``).
"""

from __future__ import annotations

import pytest

from nextorm import IntegrityError, ValidationError, db_session, flush
from nextorm.orm import batch


class Counting:
    """Counts the statements a Database sends (its own methods, wrapped for the test)."""

    def __init__(self, db, monkeypatch):
        self.statements: list[str] = []
        for method in ("_execute", "_execute_dml", "_execute_many", "_insert"):
            original = getattr(db, method)

            def wrapped(sql, params=(), _original=original):
                self.statements.append(sql)
                return _original(sql, params)

            monkeypatch.setattr(db, method, wrapped)

    def inserts(self, table: str) -> list[str]:
        return [s for s in self.statements if s.startswith("INSERT") and table in s]


def test_many_new_objects_take_few_statements_and_get_their_own_keys(orm, monkeypatch):
    n = 2500  # more than one multi-row chunk
    counting = Counting(orm.db, monkeypatch)
    with db_session(orm.db):
        users = [orm.User(name=f"u{i}", email=f"{i}@x", age=i) for i in range(n)]
    assert len(counting.inserts("user")) <= n // batch.MAX_ROWS + 1
    ids = [u.id for u in users]
    assert len(set(ids)) == n and None not in ids
    with db_session(orm.db):
        stored = {u.id: (u.name, u.age) for u in orm.User.select()}
    assert stored == {u.id: (f"u{i}", i) for i, u in enumerate(users)}


def test_batches_after_rows_already_in_the_table_and_deleted_keys(orm):
    with db_session(orm.db):
        first = [orm.User(name=f"a{i}", email=f"a{i}@x") for i in range(5)]
    with db_session(orm.db):
        orm.User[first[-1].id].delete()
    with db_session(orm.db):
        more = [orm.User(name=f"b{i}", email=f"b{i}@x") for i in range(7)]
        flush()
        assert all(orm.User[u.id] is u for u in more)  # registered under the new keys
    assert min(u.id for u in more) > max(u.id for u in first)
    with db_session(orm.db):
        assert {u.id: u.name for u in orm.User.select()} == {
            u.id: u.name for u in first[:-1] + more}


def test_related_new_objects_are_written_first_whatever_the_creation_order(orm):
    with db_session(orm.db):
        authors = []
        posts = []
        for i in range(30):
            author = orm.User(name=f"w{i}", email=f"w{i}@x")
            authors.append(author)
        for i, author in enumerate(authors):
            posts.append(orm.Post(title=f"p{i}", author=author))
        late = orm.Post(title="late", author=None)
        late.author = orm.User(name="late", email="late@x")  # created after its post
    with db_session(orm.db):
        got = {p.title: p.author.name for p in orm.Post.select()}
    assert got == {**{f"p{i}": f"w{i}" for i in range(30)}, "late": "late"}


def test_given_keys_and_server_keys_make_separate_batches(orm):
    with db_session(orm.db):
        auto = [orm.User(name=f"a{i}", email=f"a{i}@x") for i in range(3)]
        given = [orm.User(id=1000 + i, name=f"g{i}", email=f"g{i}@x") for i in range(3)]
        more = [orm.User(name=f"m{i}", email=f"m{i}@x") for i in range(3)]
    assert [u.id for u in given] == [1000, 1001, 1002]
    keys = [u.id for u in auto + more]
    assert len(set(keys)) == 6 and not set(keys) & {1000, 1001, 1002}
    with db_session(orm.db):
        assert {u.id: u.name for u in orm.User.select()} == {
            u.id: u.name for u in auto + given + more}


def test_updates_of_the_same_columns_go_as_one_executemany(orm, monkeypatch):
    with db_session(orm.db):
        for i in range(20):
            orm.User(name=f"u{i}", email=f"{i}@x", age=i)
    counting = Counting(orm.db, monkeypatch)
    with db_session(orm.db):
        for user in orm.User.select():
            user.age += 100
            if user.age % 2:
                user.bio = "odd"
    updates = [s for s in counting.statements if s.startswith("UPDATE")]
    assert len(updates) == 2  # two column sets: age, and age + bio
    with db_session(orm.db):
        got = sorted((u.age, u.bio) for u in orm.User.select())
    assert got == [(100 + i, "odd" if i % 2 else "") for i in range(20)]  # Opt[str]: ""


def test_a_unique_violation_in_a_batch_names_the_attribute_and_rolls_back(orm):
    with db_session(orm.db):
        orm.User(name="keep", email="keep@x")
    with pytest.raises(IntegrityError, match=r"cannot insert User: User\.email must be unique"):
        with db_session(orm.db):
            for i in range(10):
                orm.User(name=f"n{i}", email="dup@x" if i in (3, 7) else f"n{i}@x")
    with db_session(orm.db):
        assert [u.name for u in orm.User.select()] == ["keep"]


def test_a_unique_violation_in_an_update_batch_names_the_attribute(orm):
    with db_session(orm.db):
        for i in range(4):
            orm.User(name=f"u{i}", email=f"{i}@x")
    with pytest.raises(IntegrityError, match=r"cannot update .*User\.email must be unique"):
        with db_session(orm.db):
            for user in orm.User.select():
                user.email = "same@x"
    with db_session(orm.db):
        assert sorted(u.email for u in orm.User.select()) == [f"{i}@x" for i in range(4)]


def test_a_missing_required_value_still_names_the_attribute(orm):
    with pytest.raises(ValidationError, match=r"User\.email is required \(Req\)"):
        with db_session(orm.db):
            orm.User(name="a", email="a@x")
            orm.User(name="b", email=None)
    with db_session(orm.db):
        assert orm.User.select().count() == 0
