"""nextorm 0.5.1 behaviours on SQLite, PostgreSQL and MariaDB: ``validate_relations=False``,
``db.delete_instance`` clearing the key, ``for_update`` through joins, ``distinct`` ordered by
a related attribute, arithmetic in generators, prefetching composite-key owners and a
collection's ``drop_table``."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest

from nextorm import count, db_session, flush, select
from nextorm.entity import Entity
from nextorm.errors import MappingError, NextORMError
from nextorm.fields import Opt, PrimaryKey, Req, Set, Single


def _unmapped_set_models():
    class Owner(Entity):
        name: Req[str]
        things: Set["Thing"]  # noqa: F821 - Thing has no Single back: no counterpart

    class Thing(Entity):
        title: Req[str]

    return Owner, Thing


def test_validate_relations_false_leaves_a_set_without_counterpart_unmapped(make_db):
    Owner, Thing = _unmapped_set_models()
    with pytest.raises(MappingError, match="Owner.things: Set\\[Thing\\] has no counterpart"):
        make_db([Owner, Thing])
    db = make_db([Owner, Thing], mapped=False)
    db.generate_mapping(create_tables=True, validate_relations=False)
    with db_session(db):
        owner, thing = Owner(name="o"), Thing(title="t")
        flush()
        assert owner.id is not None and thing.id is not None
        with pytest.raises(MappingError, match="Owner.things has no counterpart"):
            list(owner.things)
        with pytest.raises(MappingError, match="Owner.things has no counterpart"):
            owner.things.add(thing)
    with db_session(db):
        assert [o.name for o in Owner.select()] == ["o"]
    assert sorted(db.table_names()) == ["owner", "thing"]


def test_validate_relations_false_takes_the_first_of_ambiguous_candidates(make_db):
    class Writer(Entity):
        name: Req[str]
        notes: Set["Note"]  # noqa: F821 - both Singles below point back

    class Note(Entity):
        text: Req[str]
        author: Single[Writer]
        reviewer: Single[Writer]

    with pytest.raises(MappingError, match="ambiguous relation"):
        make_db([Writer, Note])
    db = make_db([Writer, Note], mapped=False)
    with pytest.warns(UserWarning, match="using Note.author"):
        db.generate_mapping(create_tables=True, validate_relations=False)
    with db_session(db):
        ann, bob = Writer(name="ann"), Writer(name="bob")
        Note(text="x", author=ann, reviewer=bob)
    with db_session(db):
        ann = Writer.get(name="ann")
        assert [n.text for n in ann.notes] == ["x"]
        assert list(Writer.get(name="bob").notes) == []


def _people(make_db):
    class Person(Entity):
        name: Req[str]

    class Pair(Entity):
        a: Req[int]
        b: Req[int]
        label: Req[str]
        pk = PrimaryKey("a", "b")

    return make_db([Person, Pair], create_tables=True), Person, Pair


def test_delete_instance_clears_the_key_and_save_inserts_again(make_db):
    db, Person, Pair = _people(make_db)
    ann = Person(name="ann")
    db.save(ann)
    first = ann.id
    db.save(Person(name="bob"))
    db.delete_instance(ann)
    assert ann.id is None and ann.name == "ann"
    assert [r["name"] for r in db.select_raw("SELECT name FROM person")] == ["bob"]
    db.save(ann)  # 0.5.1: a new row with a new key
    assert ann.id is not None and ann.id != first
    assert sorted(r["name"] for r in db.select_raw("SELECT name FROM person")) == ["ann", "bob"]
    with db_session(db):
        cid = Person(name="cid")
        flush()
        db.delete_instance(cid)
        assert cid.id is None
        assert sorted(p.name for p in Person.select()) == ["ann", "bob"]
    pair = Pair(a=1, b=2, label="x")
    db.save(pair)
    db.save(Pair(a=1, b=3, label="y"))
    db.delete_instance(pair)
    assert (pair.a, pair.b, pair.label) == (None, None, "x")
    assert db.select_raw("SELECT a, b, label FROM pair") == [{"a": 1, "b": 3, "label": "y"}]


def test_obj_delete_clears_the_key_and_a_save_inserts_it_anew(make_db):
    db, Person, _ = _people(make_db)
    with db_session(db):
        ann = Person(name="ann")
        flush()
        old_key = ann.id
        ann.delete()
        assert ann.id is None  # as nextorm 0.5.1: it names no row any more
    db.save(ann)
    assert ann.id is not None and ann.id != old_key
    assert db.select_raw("SELECT name FROM person") == [{"name": "ann"}]


def test_warnings_module_is_quiet_for_validated_mappings(make_db):
    db, Person, _ = _people(make_db)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        db2 = make_db([Person], mapped=False)
        db2.generate_mapping(validate_relations=False)
    assert db2.is_mapped


@pytest.fixture
def blog(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="ann@x", age=30)
        bob = orm.User(name="bob", email="bob@x", age=20)
        orm.Post(title="p1", author=bob)
        orm.Post(title="p2", author=ann, editor=bob)
        orm.Post(title="p3", author=ann)
    return orm


def test_for_update_through_a_join_locks_the_queried_rows(blog):
    Post = blog.Post
    with db_session(blog.db):
        query = Post.select().filter(Post.editor.name == "bob").for_update()
        assert [p.title for p in query] == ["p2"]
        outer = Post.select().order_by(Post.editor.name, Post.title).for_update(nowait=True)
        assert [p.title for p in outer] == ["p1", "p3", "p2"]  # NULL editors first
        sql = outer.get_sql()
        assert "LEFT JOIN" in sql
        assert ("FOR UPDATE" in sql) is blog.db._dialect().row_locks


def test_distinct_ordered_by_a_related_attribute(blog):
    Post, User = blog.Post, blog.User
    with db_session(blog.db):
        query = Post.select().distinct().order_by(Post.author.name.desc(), Post.title)
        assert [p.title for p in query] == ["p1", "p2", "p3"]
        assert query.count() == 3
        assert [p.title for p in query.limit(2, offset=1)] == ["p2", "p3"]
        joined = (User.select().join(Post, Post.author == User.id).distinct()
                  .order_by(User.name))
        assert [u.name for u in joined] == ["ann", "bob"]
        assert joined.count() == 2
        titles = Post.select(lambda p: p.author.name == "ann")._with(
            column=Post.title).distinct().order_by(Post.author.age)
        assert sorted(titles.fetch_all()) == ["p2", "p3"]
        assert len(Post.select().distinct().random(2).fetch_all()) == 2


def _lines(make_db):
    class Line(Entity):
        name: Req[str]
        qty: Req[int]
        price: Opt[float] = Opt(nullable=True)
        cost: Opt[Decimal] = Opt(precision=10, scale=2, nullable=True)

    db = make_db([Line], create_tables=True)
    with db_session(db):
        Line(name="a", qty=3, price=2.0, cost=Decimal("1.25"))
        Line(name="b", qty=10, price=1.0, cost=Decimal("4.00"))
        Line(name="a", qty=1, price=5.5)
        Line(name="c", qty=7)
    return db, Line


def test_arithmetic_in_generators_and_lambdas(make_db):
    db, Line = _lines(make_db)

    def names(query):
        return sorted(x.name + str(x.qty) for x in query)

    x = 7
    with db_session(db):
        assert names(select(ln for ln in Line if ln.qty + 1 > x)) == ["b10", "c7"]
        assert names(select(ln for ln in Line if ln.price * ln.qty > 5.5)) == ["a3", "b10"]
        assert names(select(ln for ln in Line if 100 - ln.qty < 95)) == ["b10", "c7"]
        assert names(select(ln for ln in Line if ln.qty / 2 == 1.5)) == ["a3"]  # not 1
        assert names(select(ln for ln in Line if -ln.qty < -5)) == ["b10", "c7"]
        assert names(select(ln for ln in Line if ln.cost * 2 > Decimal("5"))) == ["b10"]
        assert names(select(ln for ln in Line if ln.price * 2 is None)) == ["c7"]
        assert names(select(ln for ln in Line if ln.qty * 2 in [6, 14])) == ["a3", "c7"]
        assert names(Line.select(lambda ln: ln.qty > ln.price * 2)) == ["b10"]
        assert count(ln for ln in Line if ln.qty - 1 >= 2) == 3
        ordered = Line.select(lambda ln: ln.price is not None).order_by(
            lambda ln: (ln.price * ln.qty).desc())
        assert [ln.qty for ln in ordered] == [10, 3, 1]
        assert select(ln.name for ln in Line).fetch_all().count("a") == 2  # no DISTINCT
        assert sorted(select(ln.name for ln in Line).distinct()) == ["a", "b", "c"]


def test_prefetch_sets_of_composite_key_owners_in_one_query_per_relation(make_db):
    from nextorm import capture_sql

    class Shelf(Entity):
        room: Req[str]
        num: Req[int]
        books: Set["Book"]  # noqa: F821
        labels: Set["Label"]  # noqa: F821
        pk = PrimaryKey("room", "num")

    class Book(Entity):
        title: Req[str]
        shelf: Single[Shelf]

    class Label(Entity):
        text: Req[str]
        shelves: Set[Shelf]

    db = make_db([Shelf, Book, Label], create_tables=True)
    with db_session(db):
        shelves = [Shelf(room=r, num=n) for r in ("a", "b") for n in (1, 2)]
        red, blue = Label(text="red"), Label(text="blue")
        for i, shelf in enumerate(shelves):
            for j in range(i):
                Book(title=f"{shelf.room}{shelf.num}-{j}", shelf=shelf)
            shelf.labels.add(red if i % 2 else blue)
        shelves[3].labels.add(blue)
    with db_session(db):
        with capture_sql() as queries:
            found = Shelf.select().prefetch("books", Shelf.labels).order_by("room", "num")[:]
            books = {(s.room, s.num): sorted(b.title for b in s.books) for s in found}
            labels = {(s.room, s.num): sorted(x.text for x in s.labels) for s in found}
        selects = [q.sql for q in queries if q.sql.startswith("SELECT")]
        assert len(selects) == 3  # the shelves, their books, their labels
    assert books == {("a", 1): [], ("a", 2): ["a2-0"], ("b", 1): ["b1-0", "b1-1"],
                     ("b", 2): ["b2-0", "b2-1", "b2-2"]}
    assert labels == {("a", 1): ["blue"], ("a", 2): ["red"], ("b", 1): ["blue"],
                      ("b", 2): ["blue", "red"]}
    with db_session(db):  # the composite IN also filters a query of the reverse Single
        picked = Book.select().filter(Book.shelf.in_([Shelf[("b", 1)], Shelf[("a", 2)]]))
        assert sorted(b.title for b in picked) == ["a2-0", "b1-0", "b1-1"]


def test_collection_drop_table_drops_the_join_table(orm):
    db, Post, Tag, User = orm.db, orm.Post, orm.Tag, orm.User
    with db_session(db):
        ann = User(name="ann", email="ann@x")
        post = Post(title="p", author=ann)
        post.tags.add(Tag(name="t"))
        with pytest.raises(NextORMError, match="holds rows: pass with_all_data=True"):
            post.tags.drop_table()
        with pytest.raises(NextORMError, match="one-to-many relation has no join table"):
            ann.posts.drop_table()
    assert "post_tag" in db.table_names()
    with db_session(db):
        assert [t.name for t in Post.get(title="p").tags] == ["t"]
        Post.get(title="p").tags.drop_table(with_all_data=True)
    assert "post_tag" not in db.table_names()
    assert sorted(db.table_names()) == ["post", "sample", "tag", "user"]
    with db_session(db):
        assert [p.title for p in Post.select()] == ["p"]  # the entities' rows stay
        assert [t.name for t in Tag.select()] == ["t"]


def test_for_update_through_a_join_holds_the_lock(blog, make_db):
    Post = blog.Post
    with db_session(blog.db):
        query = Post.select().filter(Post.editor.name == "bob").for_update()
        assert [p.title for p in query.fetch_all()] == ["p2"]
        if not blog.db._dialect().row_locks:  # SQLite locks the whole file: no FOR UPDATE
            assert "FOR UPDATE" not in query.get_sql()
            return
    other = make_db([blog.User, blog.Post, blog.Tag, blog.Sample])
    with db_session(blog.db):
        locked = Post.select().filter(Post.editor.name == "bob").for_update().fetch_all()
        assert [p.title for p in locked] == ["p2"]
        assert "FOR UPDATE" in Post.select().for_update().get_sql()
        with db_session(other):  # a second connection: the locked row refuses NOWAIT
            with pytest.raises(NextORMError):
                Post.select().filter(Post.title == "p2").for_update(nowait=True).fetch_all()
            other.rollback()
        assert [p.title for p in Post.select().filter(Post.title == "p2")] == ["p2"]
