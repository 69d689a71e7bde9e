"""Generator and lambda queries (0.5.1's style), on SQLite, PostgreSQL and MariaDB.

``select(u for u in User if ...)``, ``count/sum/avg/min/max(generator)`` and lambdas in
``Entity.select/get/exists`` and ``where/filter/order_by`` give the same rows as the
expression forms.
"""

from __future__ import annotations

import pytest

from nextorm import DecompileError, avg, count, db_session, desc, max, min, select, sum


@pytest.fixture
def people(orm):
    with db_session(orm.db):
        users = {}
        for name, age in [("ann", 30), ("Abe", 17), ("bob", 25), ("Cid", None), ("Amy", 41)]:
            users[name] = orm.User(name=name, email=f"{name}@example.com", age=age)
        orm.Post(title="a1", author=users["ann"])
        orm.Post(title="a2", author=users["ann"], editor=users["bob"])
        orm.Post(title="b1", author=users["bob"])
    return orm


def names(rows):
    return sorted(u.name for u in rows)


def test_select_generator_with_and_method_calls_and_free_variables(people):
    User = people.User
    limit = 18
    with db_session(people.db):
        assert names(select(u for u in User if u.age > 18 and u.name.startswith("A"))) == [
            "Amy"]
        assert names(select(u for u in User if u.age > limit)) == ["Amy", "ann", "bob"]
        assert names(select(u for u in User)) == ["Abe", "Amy", "Cid", "ann", "bob"]
        assert names(select(u for u in User if u.age < 20 or u.name == "bob")) == ["Abe", "bob"]
        assert names(select(u for u in User if 20 <= u.age < 35)) == ["ann", "bob"]


def test_in_not_and_none(people):
    User = people.User
    wanted = ["ann", "Cid", "zed"]
    with db_session(people.db):
        assert names(select(u for u in User if u.name in wanted)) == ["Cid", "ann"]
        assert names(select(u for u in User if u.name not in wanted)) == ["Abe", "Amy", "bob"]
        assert names(select(u for u in User if u.name in [])) == []
        assert names(select(u for u in User if not u.age > 20)) == ["Abe"]  # NULL: unknown
        assert names(select(u for u in User if u.age is None)) == ["Cid"]
        assert names(select(u for u in User if u.age is not None and not u.name == "Amy")
                     ) == ["Abe", "ann", "bob"]


def test_closures_are_rebound_on_every_call(people):
    User = people.User

    def older_than(n):
        return names(select(u for u in User if u.age > n))

    with db_session(people.db):
        assert older_than(40) == ["Amy"]
        assert older_than(26) == ["Amy", "ann"]
        assert older_than(100) == []


def test_python_only_conditions_are_decided_in_python(people):
    User = people.User
    with db_session(people.db):
        for flag, expected in [(True, 5), (False, 0)]:
            assert len(select(u for u in User if flag)) == expected
        minimum = None
        # ``minimum is None`` is True: the right side is never evaluated (u.age > None)
        assert len(select(u for u in User if minimum is None or u.age > minimum)) == 5


def test_relation_traversal(people):
    Post = people.Post
    with db_session(people.db):
        titles = [p.title for p in select(p for p in Post if p.author.name == "ann")
                  .order_by(Post.title)]
        assert titles == ["a1", "a2"]
        assert count(p for p in Post if p.author.age < 28 or p.editor.name == "bob") == 2
        assert count(p for p in Post if p.editor is None) == 2


def test_yielding_an_attribute(people):
    User, Post = people.User, people.Post
    with db_session(people.db):
        assert sorted(select(u.name for u in User if u.age > 20)) == ["Amy", "ann", "bob"]
        authors = select(p.author for p in Post if p.title.startswith("a")).fetch_all()
        assert [a.name for a in authors] == ["ann", "ann"]
        assert sorted(select(p.author.name for p in Post)) == ["ann", "ann", "bob"]


def test_top_level_aggregates(people):
    User = people.User
    with db_session(people.db):
        assert count(u for u in User) == 5
        assert count(u for u in User if u.age > 20) == 3
        assert count(u.age for u in User) == 4  # COUNT(column): rows with a value
        assert sum(u.age for u in User) == 113
        assert isinstance(sum(u.age for u in User), int)
        assert avg(u.age for u in User if u.age > 20) == pytest.approx(32.0)
        assert min(u.age for u in User) == 17
        assert max(u.name for u in User) == "bob"
        assert sum(u.age for u in User if u.age > 100) is None
        assert count(u for u in User if u.age > 100) == 0
        assert count(User.select(lambda u: u.age > 20)) == 3
        # the builtins are still the builtins for everything else
        assert sum([1, 2, 3]) == 6 and min(4, 2) == 2 and max([1, 9]) == 9


def test_lambdas_in_entity_and_query_methods(people):
    User = people.User
    with db_session(people.db):
        assert names(User.select(lambda u: u.age > 20 and not u.name.startswith("A"))) == [
            "ann", "bob"]
        assert User.get(lambda u: u.name == "bob").age == 25
        assert User.get(lambda u: u.name == "nobody") is None
        assert User.exists(lambda u: u.age > 40)
        assert not User.exists(lambda u: u.age > 100)
        assert names(User.select().where(lambda u: u.age < 26)) == ["Abe", "bob"]
        assert names(User.select().filter(lambda u: u.age < 26, name="bob")) == ["bob"]
        ordered = User.select(lambda u: u.age is not None).order_by(lambda u: u.name)
        assert [u.name for u in ordered] == ["Abe", "Amy", "ann", "bob"]
        by_age = ordered.order_by(lambda u: desc(u.age))
        assert [u.name for u in by_age] == ["Amy", "ann", "bob", "Abe"]
        two_keys = User.select().order_by(lambda u: (u.age.desc(), u.name))
        assert [u.name for u in two_keys][:2] == ["Amy", "ann"]


def test_generator_and_expression_forms_send_the_same_sql(people):
    User = people.User
    with db_session(people.db):
        expression = User.select((User.age > 18) & User.name.startswith("A"))
        generator = select(u for u in User if u.age > 18 and u.name.startswith("A"))
        lam = User.select(lambda u: u.age > 18 and u.name.startswith("A"))
        assert generator.get_sql() == expression.get_sql() == lam.get_sql()


def test_untranslatable_constructs_name_the_expression(people):
    User = people.User
    with db_session(people.db):
        with pytest.raises(DecompileError, match=r"len\(u.name\)"):
            select(u for u in User if len(u.name) == 3)
        with pytest.raises(DecompileError, match="has no attribute 'nickname'"):
            select(u for u in User if u.nickname == "x")
        with pytest.raises(DecompileError, match="iterates over an entity"):
            select(x for x in [1, 2])
        with pytest.raises(TypeError, match="iterated outside a query"):
            list(User)
