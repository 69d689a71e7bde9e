"""The fast paths of creating, writing and reading many objects behave as the general ones.

``orm/values.py`` checks a default once per entity, ``orm/rows.py`` writes the common object
with one ``map()``, ``orm/materialize.py`` keeps an object's state inside it and pauses the
garbage collector for a large result.  Each test runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import gc
import itertools

import pytest

from nextorm import Entity, Opt, Req, ValidationError, db_session
from nextorm.orm.materialize import PAUSE_GC_ROWS

SETS: list[str] = []  # the names the user's __setattr__ saw
LOADS: list[bool] = []  # gc.isenabled() in after_load
STAMPS = itertools.count(1)


class Watched(Entity):
    """An entity with its own ``__setattr__``: the ORM's state must not go through it."""

    name: Req[str]
    size: Opt[int]

    def __setattr__(self, name: str, value: object) -> None:
        SETS.append(name)
        super().__setattr__(name, value)


class Defaulted(Entity):
    label: Opt[str]  # no value: '' (stored NOT NULL)
    count: Req[int] = Req(default=5)
    stamp: Req[int] = Req(default=lambda: next(STAMPS))  # called for each new object
    even: Req[int] = Req(default=2, py_check=lambda v: v % 2 == 0)


class Loaded(Entity):
    n: Req[int]
    note: Opt[str] = Opt(nullable=True)

    def after_load(self) -> None:
        LOADS.append(gc.isenabled())


@pytest.fixture
def fast_db(make_db):
    return make_db([Watched, Defaulted, Loaded], create_tables=True)


def test_own_setattr_sees_only_the_attributes_it_is_given(fast_db):
    SETS.clear()
    with db_session(fast_db):
        made = [Watched(name=f"w{i}", size=i) for i in range(3)]
        made[0].size = 10
    assert SETS == ["size"]  # the assignment, never _vals_, _session_, _status_...
    assert all(w.id is not None for w in made)
    with db_session(fast_db):
        read = sorted(Watched.select(), key=lambda w: w.id)
        assert [(w.name, w.size) for w in read] == [("w0", 10), ("w1", 1), ("w2", 2)]
        read[1].size = 11
    assert SETS == ["size", "size"]
    with db_session(fast_db):
        assert Watched[read[1].id].size == 11


def test_defaults_checked_once_give_each_object_its_values(fast_db):
    with db_session(fast_db):
        first, second = Defaulted(), Defaulted(count=7, even=4)
        assert (first.label, first.count, first.even) == ("", 5, 2)
        assert (second.count, second.even) == (7, 4)
        assert second.stamp == first.stamp + 1  # the function default ran for each
        with pytest.raises(ValidationError, match="Defaulted.even: 3 is refused by py_check"):
            Defaulted(even=3)
        with pytest.raises(ValidationError, match="Defaulted.count: expected int"):
            Defaulted(count="7")
    with db_session(fast_db):
        stored = {d.id: (d.label, d.count, d.stamp, d.even) for d in Defaulted.select()}
    assert stored == {first.id: ("", 5, first.stamp, 2), second.id: ("", 7, second.stamp, 4)}


def test_a_flush_of_common_and_other_objects_writes_each_right(fast_db):
    """Objects with every value (one map) and objects with a None among them (column by
    column) in one flush: each keeps its values and gets its own key."""
    n = PAUSE_GC_ROWS + 50  # the batch is built with the collector paused
    with db_session(fast_db):
        made = [Loaded(n=i, note=None if i % 3 else f"n{i}") for i in range(n)]
    assert gc.isenabled()
    assert len({m.id for m in made}) == n
    with db_session(fast_db):
        stored = {m.id: (m.n, m.note) for m in Loaded.select()}
    assert stored == {m.id: (i, None if i % 3 else f"n{i}") for i, m in enumerate(made)}


def test_a_large_read_pauses_the_collector_only_while_it_builds(fast_db):
    with db_session(fast_db):
        for i in range(PAUSE_GC_ROWS + 10):
            Loaded(n=i)
    LOADS.clear()
    with db_session(fast_db):
        found = Loaded.select().fetch_all()
        again = Loaded.select().fetch_all()  # the same objects, from the identity map
    assert len(found) == PAUSE_GC_ROWS + 10 and all(a is b for a, b in zip(found, again, strict=True))
    assert gc.isenabled()
    assert LOADS == [True] * len(found)  # after_load: once per object, the collector on
    gc.disable()  # a collector the user switched off stays off
    try:
        with db_session(fast_db):
            assert len(Loaded.select().fetch_all()) == len(found)
        assert not gc.isenabled()
    finally:
        gc.enable()
