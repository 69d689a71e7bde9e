"""Queries: operators, &, |, ~, in_, like/startswith, is None, order, limit, count, joins."""

from __future__ import annotations

import pytest

from nextorm import MultipleObjectsFound, db_session, desc


@pytest.fixture
def people(orm):
    with db_session(orm.db):
        for name, age in [("ann", 30), ("bob", 25), ("Cid", None), ("dan", 41), ("a_b%", 7)]:
            orm.User(name=name, email=f"{len(name)}{name}@example.com", age=age)
    return orm


def names(query):
    return sorted(u.name for u in query)


def test_comparisons_and_boolean_operators(people):
    User = people.User
    with db_session(people.db):
        assert names(User.select().filter(User.age > 25)) == ["ann", "dan"]
        assert names(User.select().filter(User.age <= 25)) == ["a_b%", "bob"]
        assert names(User.select().filter((User.age >= 25) & (User.name != "dan"))) == [
            "ann", "bob"]
        assert names(User.select().filter((User.name == "bob") | (User.age == 41))) == [
            "bob", "dan"]
        assert names(User.select().filter(~(User.age > 10))) == ["a_b%"]  # NULL is unknown
        assert names(User.select().filter(User.age > 10, User.age < 35)) == ["ann", "bob"]
        assert names(User.select(User.name == "ann")) == ["ann"]


def test_in_and_none(people):
    User = people.User
    with db_session(people.db):
        assert names(User.select().filter(User.name.in_(["ann", "Cid", "zed"]))) == ["Cid", "ann"]
        assert User.select().filter(User.name.in_([])).count() == 0
        assert names(User.select().filter(User.age.is_(None))) == ["Cid"]
        assert names(User.select().filter(User.age == None)) == ["Cid"]  # noqa: E711
        assert User.select().filter(User.age.is_not(None)).count() == 4


def test_like_and_startswith_are_case_sensitive_and_escape_wildcards(people):
    User = people.User
    with db_session(people.db):
        assert names(User.select().filter(User.name.like("%n"))) == ["ann", "dan"]
        assert names(User.select().filter(User.name.like("c%"))) == []
        assert names(User.select().filter(User.name.like("C_d"))) == ["Cid"]
        assert names(User.select().filter(User.name.startswith("a"))) == ["a_b%", "ann"]
        assert names(User.select().filter(User.name.startswith("a_"))) == ["a_b%"]
        assert names(User.select().filter(User.name.endswith("%"))) == ["a_b%"]
        assert names(User.select().filter(User.name.contains("n"))) == ["ann", "dan"]


def test_order_limit_offset_first_count_exists(people):
    User = people.User
    with db_session(people.db):
        by_age = User.select().filter(User.age.is_not(None)).order_by(User.age.desc())
        assert [u.name for u in by_age] == ["dan", "ann", "bob", "a_b%"]
        assert [u.name for u in User.select().order_by(desc(User.name)).limit(2)] == [
            "dan", "bob"]
        assert [u.name for u in User.select().order_by("-age", "name").limit(2, offset=1)] == [
            "ann", "bob"]
        # NULL sorts first ascending and last descending, on every database
        assert [u.name for u in User.select().order_by(User.age)][:2] == ["Cid", "a_b%"]
        assert [u.name for u in User.select().order_by(User.age.desc())][-1] == "Cid"
        assert [u.name for u in User.select().order_by(User.name).offset(3)] == ["bob", "dan"]
        assert [u.name for u in User.select().order_by(User.name)[1:3]] == ["a_b%", "ann"]
        assert User.select().order_by(User.age).filter(User.age > 26).first().name == "ann"
        assert User.select().filter(User.age > 100).first() is None
        assert User.select().count() == 5
        assert User.select().order_by(User.name).limit(2).count() == 2
        assert User.select().filter(User.name == "bob").exists()
        assert not User.select().filter(User.name == "nobody").exists()


def test_get_with_several_matches_is_an_error(people):
    with db_session(people.db):
        with pytest.raises(MultipleObjectsFound):
            people.User.select().filter(people.User.age > 20).get()


def test_filter_on_a_related_entity_attribute(people):
    User, Post = people.User, people.Post
    with db_session(people.db):
        ann = User.get(name="ann")
        bob = User.get(name="bob")
        Post(title="a1", author=ann)
        Post(title="a2", author=ann, editor=bob)
        Post(title="b1", author=bob)
    with db_session(people.db):
        titles = [p.title for p in Post.select().filter(Post.author.name == "ann")
                  .order_by(Post.title.desc())]
        assert titles == ["a2", "a1"]
        assert Post.select().filter(Post.author.age < 28).count() == 1
        assert Post.select().filter((Post.author.name == "ann") & (Post.editor.name == "bob")
                                    ).count() == 1
        assert Post.select().filter(Post.editor == None).count() == 2  # noqa: E711
        assert Post.select().filter(author=User.get(name="bob")).count() == 1


def test_values_are_parameters_never_sql(orm):
    evil = "x'); DROP TABLE \"user\"; --"
    with db_session(orm.db):
        orm.User(name="q", email=evil)
    with db_session(orm.db):
        assert orm.User.get(email=evil).name == "q"
        assert orm.User.select().filter(orm.User.email.startswith("x')")).count() == 1


def test_query_delete(people):
    User = people.User
    with db_session(people.db):
        assert User.select().filter(User.age < 30).delete() == 2
        assert names(User.select()) == ["Cid", "ann", "dan"]
    with db_session(people.db):
        assert User.select().count() == 3
