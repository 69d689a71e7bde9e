"""Attribute semantics: Opt[str] is '', other Opt are None, Req, defaults, types, errors."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from nextorm import IntegrityError, ValidationError, db_session
from support.orm_models import Color, Level


def sample_values():
    return dict(
        flag=True, price=Decimal("1234.50"), at=dt.datetime(2026, 11, 25, 14, 22, 5, 123456),
        day=dt.date(2026, 2, 28), clock=dt.time(23, 59, 58, 999999),
        uid=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        data={"tags": ["a", "b"], "n": 3, "nested": {"ok": True}}, color=Color.GREEN,
        level=Level.HIGH, blob=b"\x00\xffbytes", ratio=0.25, note="hello",
    )


def test_every_type_round_trips_to_the_same_python_values(orm):
    values = sample_values()
    with db_session(orm.db):
        created = orm.Sample(**values)
    with db_session(orm.db):
        loaded = orm.Sample[created.id]
        got = {name: getattr(loaded, name) for name in values}
    assert got == values
    for name, value in values.items():
        assert type(got[name]) is type(value), name


def test_falsy_and_empty_values_round_trip(orm):
    values = dict(sample_values(), flag=False, price=Decimal("0"), data={}, blob=b"", ratio=0.0,
                  level=None, note=None)
    with db_session(orm.db):
        created = orm.Sample(**values)
    with db_session(orm.db):
        loaded = orm.Sample[created.id]
        assert loaded.flag is False
        assert loaded.price == Decimal("0.00") and str(loaded.price) == "0.00"
        assert loaded.data == {} and loaded.blob == b"" and loaded.ratio == 0.0
        assert loaded.level is None and loaded.note is None


def test_queries_compare_converted_values(orm):
    with db_session(orm.db):
        orm.Sample(**sample_values())
        orm.Sample(**dict(sample_values(), flag=False, color=Color.RED, price=Decimal("5"),
                          at=dt.datetime(2020, 1, 1), uid=uuid.uuid4()))
    with db_session(orm.db):
        S = orm.Sample
        assert S.select().filter(S.flag == True).count() == 1  # noqa: E712
        assert S.select().filter(color=Color.RED).count() == 1
        assert S.select().filter(S.price > Decimal("100")).count() == 1
        assert S.select().filter(S.at < dt.datetime(2021, 1, 1)).count() == 1
        assert S.get(uid=uuid.UUID("12345678-1234-5678-1234-567812345678")).flag is True
        assert [s.color for s in S.select().order_by(S.at)] == [Color.RED, Color.GREEN]


def test_aware_datetime_is_stored_as_utc(orm):
    aware = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with db_session(orm.db):
        created = orm.Sample(**dict(sample_values(), at=aware))
    with db_session(orm.db):
        assert orm.Sample[created.id].at == dt.datetime(2026, 1, 1, 10, 0)


def test_opt_str_is_empty_string_and_other_opt_are_none(orm):
    q = orm.db.dialect.quote
    with db_session(orm.db):
        ann = orm.User(name="ann", email="a@example.com")
        assert ann.bio == "" and ann.age is None
        ann2 = orm.User(name="bob", email="b@example.com", bio=None)
        assert ann2.bio == ""
    rows = orm.db._execute(f"SELECT {q('bio')}, {q('age')} FROM {q('user')} ORDER BY {q('id')}")
    assert rows == [("", None), ("", None)]
    with db_session(orm.db):
        ann = orm.User[ann.id]
        assert ann.bio == "" and ann.age is None
        ann.bio = None
        assert ann.bio == ""
        assert orm.User.select().filter(orm.User.bio.is_(None)).count() == 2
        assert orm.User.select().filter(orm.User.age == None).count() == 2  # noqa: E711


def test_missing_req_is_an_error_at_flush_naming_entity_and_attribute(orm):
    with pytest.raises(ValidationError, match=r"User\.email is required"):
        with db_session(orm.db):
            orm.User(name="ann")
    with db_session(orm.db):
        assert orm.User.select().count() == 0


def test_missing_required_single_is_an_error(orm):
    with pytest.raises(ValidationError, match=r"Post\.author is required"):
        with db_session(orm.db):
            orm.Post(title="orphan")


def test_defaults_constant_and_callable(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="a@example.com")
        post = orm.Post(title="t", author=ann)
        other = orm.Post(title="t2", author=ann, status="published", stamp="own")
        assert (post.status, post.stamp) == ("draft", "stamped")
    with db_session(orm.db):
        assert orm.Post[post.id].status == "draft"
        assert orm.Post[other.id].stamp == "own"


def test_max_len_is_a_clear_error(orm):
    with db_session(orm.db):
        with pytest.raises(ValidationError, match=r"User\.name: 21 characters is longer than "
                                                  r"max_len=20"):
            orm.User(name="x" * 21, email="a@example.com")
        ann = orm.User(name="x" * 20, email="a@example.com")
        with pytest.raises(ValidationError, match="max_len=20"):
            ann.name = "y" * 21


def test_wrong_type_is_a_clear_error(orm):
    with db_session(orm.db):
        with pytest.raises(ValidationError, match=r"User\.age: expected int, got str"):
            orm.User(name="a", email="a@example.com", age="old")


def test_unique_violation_names_the_attribute(orm):
    with db_session(orm.db):
        orm.User(name="ann", email="same@example.com")
    with pytest.raises(IntegrityError, match=r"cannot insert User: User\.email must be unique"):
        with db_session(orm.db):
            orm.User(name="bob", email="same@example.com")
    with db_session(orm.db):
        assert [u.name for u in orm.User.select()] == ["ann"]


def test_unknown_attribute_is_an_error(orm):
    with db_session(orm.db):
        with pytest.raises(ValidationError, match="unknown attribute.*nickname"):
            orm.User(name="a", email="a@example.com", nickname="x")
