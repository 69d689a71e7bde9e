"""0.5.1's QuerySet methods on SQLite, PostgreSQL and MariaDB: one object, indexes, pages,
aggregates, UPDATE, DISTINCT, random order, locks, joins, prefetch, raw SQL, show."""

from __future__ import annotations

import io
from contextlib import contextmanager
from decimal import Decimal

import pytest

from nextorm import (
    MultipleObjectsFound,
    ObjectNotFound,
    ValidationError,
    commit,
    db_session,
    desc,
)
from support.orm_models import Color


@pytest.fixture
def people(orm):
    with db_session(orm.db):
        users = {}
        for name, age in [("ann", 30), ("bob", 25), ("Cid", None), ("dan", 41)]:
            users[name] = orm.User(name=name, email=f"{name}@example.com", age=age)
        t1, t2 = orm.Tag(name="t1"), orm.Tag(name="t2")
        orm.Post(title="a1", author=users["ann"], tags=[t1, t2])
        orm.Post(title="a2", author=users["ann"], editor=users["bob"])
        orm.Post(title="b1", author=users["bob"], tags=[t1])
    return orm


@contextmanager
def statements(db, method: str = "_execute"):
    """The SQL the database runs through ``method`` inside the block (the server runs it)."""
    sent: list[str] = []
    original = getattr(db, method)

    def recording(sql, params=()):
        sent.append(sql)
        return original(sql, params)

    setattr(db, method, recording)
    try:
        yield sent
    finally:
        delattr(db, method)


def by_name(orm):
    return orm.User.select().order_by(orm.User.name)


def test_one_object(people):
    User = people.User
    with db_session(people.db):
        assert User.select(name="bob").fetch_one().age == 25
        assert User.select(name="nobody").fetch_one() is None
        assert by_name(people).fetch_one().name == "Cid"
        assert User.select(name="bob").get_or_raise().age == 25
        with pytest.raises(ObjectNotFound):
            User.select(name="nobody").get_or_raise()
        with pytest.raises(MultipleObjectsFound):
            User.select().get_or_raise()


def test_index_len_and_pages(people):
    with db_session(people.db):
        q = by_name(people)
        assert [q[i].name for i in range(4)] == ["Cid", "ann", "bob", "dan"]
        with pytest.raises(IndexError):
            q[4]
        with pytest.raises(IndexError):
            q[-1]
        assert q.offset(1)[1].name == "bob"
        with pytest.raises(IndexError):
            q.limit(2)[2]
        assert len(q) == 4
        assert len(q.filter(people.User.age > 26)) == 2
        assert [u.name for u in q.page(1, pagesize=3)] == ["Cid", "ann", "bob"]
        assert [u.name for u in q.page(2, pagesize=3)] == ["dan"]
        assert q.page(3, pagesize=3).fetch_all() == []
        with pytest.raises(ValidationError, match="start at 1"):
            q.page(0)


def test_order_by_replaces_the_previous_order(people):
    User = people.User
    with db_session(people.db):
        q = User.select(lambda u: u.age is not None).order_by(User.name).order_by(desc(User.age))
        assert [u.name for u in q] == ["dan", "ann", "bob"]
        assert "ORDER BY" not in User.select().order_by(User.name).order_by().get_sql()


def test_aggregates(people):
    User = people.User
    with db_session(people.db):
        q = User.select()
        assert q.sum("age") == 96 and isinstance(q.sum("age"), int)
        assert q.avg(User.age) == pytest.approx(32.0)
        assert isinstance(q.avg("age"), float)
        assert q.min("age") == 25 and q.max(lambda u: u.age) == 41
        assert q.min("name") == "Cid"
        assert q.filter(User.age > 100).sum("age") is None
        assert by_name(people).group_concat("name") == "Cid,ann,bob,dan"
        assert by_name(people).group_concat("age", sep="|") == "30|25|41"
        assert q.filter(User.age > 100).group_concat("name") is None
        # the window applies before the aggregate
        assert by_name(people).limit(2).sum("age") == 30
        assert people.Post.select().max(people.Post.author.age) == 30


def test_aggregate_of_decimals_keeps_decimals(people):
    import datetime as dt
    import uuid

    Sample = people.Sample
    with db_session(people.db):
        for price in ("1.25", "2.50"):
            Sample(flag=True, price=Decimal(price), at=dt.datetime(2024, 1, 1), uid=uuid.uuid4(),
                   day=dt.date(2024, 1, 1), clock=dt.time(1, 2), data={}, color=Color.RED)
    with db_session(people.db):
        assert Sample.select().sum("price") == Decimal("3.75")
        assert Sample.select().max("day") == dt.date(2024, 1, 1)


def test_update_is_one_statement_and_keeps_the_identity_map_right(people):
    User = people.User
    with db_session(people.db):
        bob, ann = User.get(name="bob"), User.get(name="ann")
        with statements(people.db, "_execute_dml") as sent:
            assert User.select(lambda u: u.age < 35).update(bio="young") == 2
        assert [s for s in sent if s.startswith("UPDATE")] == [sent[-1]]
        assert bob.bio == "young" and ann.bio == "young"
        assert User.get(name="dan").bio == ""
        assert User.select(bio="young").count() == 2
    with db_session(people.db):
        assert sorted(u.name for u in User.select(bio="young")) == ["ann", "bob"]


def test_update_through_a_relation_and_a_window(people):
    User, Post = people.User, people.Post
    with db_session(people.db):
        assert Post.select(lambda p: p.author.name == "ann").update(status="published") == 2
        assert by_name(people).limit(2).update(age=1) == 2
        dan = User.get(name="dan")
        assert Post.select(title="b1").update(editor=dan) == 1
    with db_session(people.db):
        assert sorted(p.title for p in Post.select(status="published")) == ["a1", "a2"]
        assert sorted(u.name for u in User.select(age=1)) == ["Cid", "ann"]
        assert Post.get(title="b1").editor.name == "dan"
        with pytest.raises(ValidationError):
            User.select().update(id=5)
        with pytest.raises(ValidationError):
            User.select().update(name=None)  # Req: the attribute's own check


def test_distinct_random_and_for_update(people):
    User, Post = people.User, people.Post
    with db_session(people.db):
        authors = Post.select().join(User, Post.author == User.id)
        assert authors.count() == 3
        names = User.select().join(Post, Post.author == User.id)
        assert len(names.fetch_all()) == 3  # one row per post, as in SQL
        assert names.distinct().count() == 2
        assert sorted({u.name for u in names.distinct()}) == ["ann", "bob"]
        picked = User.select().random(2).fetch_all()
        assert len(picked) == 2 and len(set(picked)) == 2
        assert {u.name for u in User.select().random(10)} == {"Cid", "ann", "bob", "dan"}
        locked = User.select(name="ann").for_update().fetch_all()
        assert [u.name for u in locked] == ["ann"]
        assert User.select(name="bob").for_update(skip_locked=True).count() == 1
        assert User.select(name="bob").for_update(nowait=True).first().name == "bob"
        with pytest.raises(ValidationError):
            User.select().for_update(nowait=True, skip_locked=True)
        commit()


def test_join_filters_on_the_joined_entity(people):
    User, Post = people.User, people.Post
    with db_session(people.db):
        q = User.select().join(Post, Post.author == User.id).filter(Post.title == "b1")
        assert [u.name for u in q] == ["bob"]
        left = User.select().join(Post, Post.author == User.id, join_type="LEFT")
        assert left.filter(Post.id == None).count() == 2  # noqa: E711 - no posts
        with pytest.raises(ValidationError, match="join it first"):
            User.select().filter(Post.title == "x").fetch_all()


def test_prefetch_reads_each_relation_with_one_query(people):
    User, Post = people.User, people.Post
    with db_session(people.db), statements(people.db) as sent:
        posts = Post.select().order_by(Post.title).prefetch(Post.author, "tags").fetch_all()
        assert len(sent) == 3  # posts, their authors, their tags
        seen = [(p.author.name, sorted(t.name for t in p.tags), len(p.tags)) for p in posts]
        assert len(sent) == 3
        assert seen == [("ann", ["t1", "t2"], 2), ("ann", [], 0), ("bob", ["t1"], 1)]
        users = by_name(people).prefetch(User.posts).fetch_all()
        assert len(sent) == 5
        assert [(u.name, sorted(p.title for p in u.posts)) for u in users] == [
            ("Cid", []), ("ann", ["a1", "a2"]), ("bob", ["b1"]), ("dan", [])]
        assert len(sent) == 5
        # a change makes the set read the database again, so it never goes stale
        Post(title="a3", author=users[1])
        assert sorted(p.title for p in users[1].posts) == ["a1", "a2", "a3"]
        assert len(sent) > 5


def test_raw_sql_and_get_sql(people):
    User = people.User
    with db_session(people.db):
        table = people.db.dialect.quote("user")
        found = User.select().raw(f"SELECT * FROM {table} WHERE age > ? ORDER BY age", [26])
        assert [u.name for u in found] == ["ann", "dan"]
        assert found[0] is User.get(name="ann")  # through the identity map
        one = User.select().raw_one(f"SELECT email, age, name, bio, id FROM {table} "
                                    f"WHERE name = ?", ["bob"])
        assert one.name == "bob" and one.age == 25
        assert User.select().raw_one(f"SELECT * FROM {table} WHERE name = ?", ["x"]) is None
        with pytest.raises(ValidationError, match="no column 'email'"):
            User.select().raw(f"SELECT id, name FROM {table}")
        assert [u.name for u in User.select_by_sql(
            f"SELECT * FROM {table} WHERE age < ?", [28])] == ["bob"]
        assert User.get_by_sql(people.db, f"SELECT * FROM {table} WHERE id = ?",
                               [one.id]) is one
        sql = User.select(lambda u: u.age > 3).get_sql()
        assert sql.startswith("SELECT ") and "?" in sql and " 3" not in sql


def test_show_prints_a_table(people):
    out = io.StringIO()
    with db_session(people.db):
        by_name(people).show(file=out)
    lines = out.getvalue().splitlines()
    assert lines[1].split("|")[1:3] == [" id ", " name "]
    assert [line.split("|")[2].strip() for line in lines[3:-1]] == ["Cid", "ann", "bob", "dan"]


def test_ilike_and_null_methods(people):
    User = people.User
    with db_session(people.db):
        assert sorted(u.name for u in User.select(User.name.ilike("a%"))) == ["ann"]
        assert sorted(u.name for u in User.select(User.name.ilike("%I%"))) == ["Cid"]
        assert [u.name for u in User.select(User.age.is_null())] == ["Cid"]
        assert User.select(User.age.is_not_null()).count() == 3
        assert User.select(lambda u: u.name.ilike("BOB")).count() == 1
