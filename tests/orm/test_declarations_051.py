"""nextorm 0.5.1's entity declarations, used unchanged, on SQLite, PostgreSQL and MariaDB.

Each test declares its entities the way a 0.5.1 project does, creates the tables, writes rows
and reads them back in a new session, so what reached the database is what is checked.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from nextorm import (
    PK,
    ULID,
    DateTimeTz,
    Entity,
    IntegrityError,
    Json,
    Local,
    LongStr,
    Opt,
    Req,
    Set,
    Single,
    ValidationError,
    db_session,
    ulid,
    uuid4,
    uuid7,
)
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect


def assert_reads_back(db) -> None:
    """The invariant of tests/dialects/test_invariant.py for these entities."""
    assert introspect(db) == physical(db.schema_dict())


def test_nullable_single_is_set_null_on_delete(make_db):
    class Author(Entity):
        _table_ = "writer"  # 0.5.1's spelling of the table name
        name: Req[str]
        books: Set["Book"]

    class Book(Entity):
        title: Req[str]
        author: Single[Author | None]

    db = make_db([Author, Book], create_tables=True)
    fk = db.schema["book"]["foreign_keys"]["fk_book__author_id"]
    assert (fk["ref_table"], fk["on_delete"]) == ("writer", "SET NULL")
    assert db.schema["book"]["columns"]["author_id"]["nullable"] is True
    with db_session(db):
        ann = Author(name="ann")
        kept = Book(title="kept", author=ann)
        Book(title="alone")
    with db_session(db):
        Author[ann.id].delete()
    with db_session(db):
        assert Book[kept.id].author is None
        assert Book.select().count() == 2
    assert_reads_back(db)


def test_key_markers_of_051(make_db):
    class Item(Entity):
        id: Req[int] = Req(primary_key=True, auto=False)
        name: Req[str]

    class Counter(Entity):
        id: Req[int] = Req(primary_key=True)  # an auto-increment key, like PK[int]
        n: Req[int] = Req(default=0)

    db = make_db([Item, Counter], create_tables=True)
    assert "auto" not in db.schema["item"]["columns"]["id"]
    assert db.schema["counter"]["columns"]["id"]["auto"] is True
    with db_session(db):
        Item(id=41, name="x")
        first, second = Counter(), Counter()
    with db_session(db):
        assert Item[41].name == "x"
        assert {first.id, second.id} == {c.id for c in Counter.select()}


def test_generated_keys_are_made_on_create(make_db):
    class Event(Entity):
        id: PK[uuid7]
        name: Req[str]

    class Ticket(Entity):
        id: PK[uuid4]
        code: Req[ulid] = Req(unique=True)
        manual: Opt[uuid7] = Opt(uuid_auto=None)

    class Code(Entity):
        id: PK[ulid]

    db = make_db([Event, Ticket, Code], create_tables=True)
    with db_session(db):
        early, late = Event(name="a"), Event(name="b")
        ticket = Ticket()
        code = Code()
    assert isinstance(early.id, uuid.UUID) and early.id.version == 7
    assert str(early.id) < str(late.id) or early.id.bytes[:6] == late.id.bytes[:6]
    assert ticket.id.version == 4 and ticket.manual is None
    assert isinstance(code.id, ULID) and len(code.id) == 26
    with db_session(db):
        assert Event[early.id].name == "a"
        loaded = Ticket[ticket.id]
        assert loaded.code == ticket.code and len(loaded.code) == 26
        assert Code[code.id].id == code.id
    assert_reads_back(db)


def test_new_types_round_trip(make_db):
    class Doc(Entity):
        body: Req[LongStr]
        meta: Opt[Json]
        at: Req[DateTimeTz]
        took: Opt[dt.timedelta]
        stamp: Opt[dt.datetime] = Opt(precision=3)

    db = make_db([Doc], create_tables=True)
    at = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    body = "x" * 70_000
    with db_session(db):
        doc = Doc(body=body, meta={"a": [1, 2]}, at=at, took=dt.timedelta(days=3, seconds=5,
                  microseconds=7), stamp=dt.datetime(2026, 1, 2, 3, 4, 5, 678999))
        with pytest.raises(ValidationError, match=r"Doc\.at: expected a timezone-aware"):
            doc.at = dt.datetime(2026, 1, 1)
    with db_session(db):
        loaded = Doc[doc.id]
        assert loaded.at == at and loaded.at.utcoffset() == dt.timedelta(0)
        assert loaded.took == dt.timedelta(days=3, seconds=5, microseconds=7)
        assert loaded.meta == {"a": [1, 2]}
        assert loaded.stamp == dt.datetime(2026, 1, 2, 3, 4, 5, 678000)  # cut to 3 digits
        assert "body" not in loaded._vals_  # LongStr is lazy: read on first access
        assert loaded.body == body
        assert Doc.select().filter(Doc.took > dt.timedelta(days=1)).count() == 1
    assert db.schema["doc"]["columns"]["body"] == {"type": "str", "nullable": False}
    assert_reads_back(db)


def test_value_options_check_on_assignment(make_db):
    class Product(Entity):
        name: Req[str] = Req(autostrip=True, max_len=12)
        stock: Req[int] = Req(min=0, max=100, default=0)
        small: Opt[int] = Opt(size=8)
        count: Opt[int] = Opt(size=64, unsigned=True)
        code: Opt[str] = Opt(py_check=lambda v: v.isupper())
        price: Opt[Decimal] = Opt(min=Decimal("0.01"))

    db = make_db([Product], create_tables=True)
    columns = db.schema["product"]["columns"]
    assert columns["small"] == {"type": "int", "nullable": True, "size": 16}
    assert columns["count"] == {"type": "int", "nullable": True, "size": 64, "unsigned": True}
    with db_session(db):
        product = Product(name="  padded name ", small=-128, count=2**40, code="AB")
        assert product.name == "padded name"
        for name, value, message in [
            ("stock", -1, r"Product\.stock: -1 is less than the minimum 0"),
            ("stock", 101, r"greater than the maximum 100"),
            ("small", 128, r"Product\.small: 128 is greater than the maximum 127"),
            ("count", -1, r"Product\.count: -1 is less than the minimum 0"),
            ("code", "ab", r"Product\.code: 'ab' is refused by py_check"),
            ("price", Decimal("0"), r"less than the minimum"),
        ]:
            with pytest.raises(ValidationError, match=message):
                setattr(product, name, value)
    with db_session(db):
        loaded = Product[product.id]
        assert (loaded.name, loaded.small, loaded.count, loaded.code) == (
            "padded name", -128, 2**40, "AB")
    assert_reads_back(db)


def test_volatile_columns_are_never_updated(make_db):
    class Row(Entity):
        label: Req[str]
        touched: Req[int] = Req(volatile=True, sql_default="7")

    db = make_db([Row], create_tables=True)
    with db_session(db):
        row = Row(label="a")
    with db_session(db):
        loaded = Row[row.id]
        assert loaded.touched == 7
        loaded.touched = 99  # kept on the object, never written
        loaded.label = "b"
    with db_session(db):
        assert (Row[row.id].label, Row[row.id].touched) == ("b", 7)


def test_sql_type_is_written_as_given(make_db):
    class Note(Entity):
        text: Req[str] = Req(sql_type="TEXT")
        big: Opt[int] = Opt(sql_type="BIGINT", size=64)

    db = make_db([Note], create_tables=True)
    assert db.schema["note"]["columns"]["text"] == {
        "type": "str", "nullable": False, "sql_type": "TEXT"}
    with db_session(db):
        note = Note(text="y" * 1000, big=2**40)
    with db_session(db):
        assert (Note[note.id].text, Note[note.id].big) == ("y" * 1000, 2**40)
    assert_reads_back(db)


def test_underscore_local_has_a_value_per_instance(make_db):
    class Cart(Entity):
        owner: Req[str]
        _cache: Local[dict] = Local[dict](default=dict)
        _checked: Local[int] = Local[int](default=0, py_check=lambda v: v >= 0)

    db = make_db([Cart], create_tables=True)
    assert "_cache" not in db.schema["cart"]["columns"]
    with db_session(db):
        a, b = Cart(owner="a"), Cart(owner="b")
        a._cache["k"] = 1
        assert a._cache == {"k": 1} and b._cache == {}
        with pytest.raises(ValidationError, match=r"Cart\._checked: -1 is refused by py_check"):
            a._checked = -1
    with db_session(db):
        assert Cart[a.id]._cache == {}


def test_cascade_delete_option(make_db):
    class Shelf(Entity):
        name: Req[str]
        boxes: Set["Box"]
        bins: Set["Bin"]

    class Box(Entity):
        shelf: Single[Shelf] = Single(cascade_delete=False)

    class Bin(Entity):
        shelf: Single[Shelf | None] = Single(cascade_delete=True)

    db = make_db([Shelf, Box, Bin], create_tables=True)
    tables = db.schema
    assert tables["box"]["foreign_keys"]["fk_box__shelf_id"]["on_delete"] == "RESTRICT"
    assert tables["bin"]["foreign_keys"]["fk_bin__shelf_id"]["on_delete"] == "CASCADE"
    with db_session(db):
        full, empty = Shelf(name="full"), Shelf(name="empty")
        Box(shelf=full)
        Bin(shelf=empty)
    with db_session(db):
        with pytest.raises(IntegrityError):
            Shelf[full.id].delete()
    with db_session(db):
        Shelf[empty.id].delete()
        assert Bin.select().count() == 0 and Box.select().count() == 1
    assert_reads_back(db)


def test_many_to_many_join_column_names(make_db):
    class Course(Entity):
        title: Req[str]
        students: Set["Student"] = Set(reverse_column="course_ref", table="enrolment")

    class Student(Entity):
        name: Req[str]
        courses: Set[Course] = Set(reverse_column="student_ref")

    db = make_db([Course, Student], create_tables=True)
    assert set(db.schema["enrolment"]["columns"]) == {"course_ref", "student_ref"}
    with db_session(db):
        math = Course(title="math")
        ann = Student(name="ann", courses=[math])
    with db_session(db):
        assert [c.title for c in Student[ann.id].courses] == ["math"]
        assert [s.name for s in Course[math.id].students] == ["ann"]
    q = db.dialect.quote
    assert db._execute(f"SELECT {q('student_ref')} FROM {q('enrolment')}") == [(ann.id,)]
    assert_reads_back(db)
