"""Single-table inheritance with lazy attributes: every read gives each column its own value.

A hierarchy's SELECT leaves the lazy columns out (read on first access) and adds the
discriminator and the subclasses' columns; the row is read by a plan of exactly those
columns.  When as many lazy columns were left out as columns were added, the SELECT once
listed every column of the root while the plan expected the other list: an int read a text,
a Json column a LongStr (JSONDecodeError), a timestamp a dict, and a subclass's row came back
as the root.  Read here through select, ``[]``, ``get``, both prefetch paths and a loop over
several declaration orders, with rows in the table, on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from typing import Any

from nextorm import PK, Entity, Json, LongStr, Opt, Req, Set, Single, db_session


def entity(name: str, bases: tuple[type, ...], annotations: dict[str, Any],
           **options: Any) -> Any:
    """Declare an entity at run time (its attributes in the order of ``annotations``)."""
    return type(Entity)(name, bases, {"__annotations__": annotations, "__module__": __name__,
                                      **options})


def hierarchy(root_order: list[str], tag: str = "") -> tuple[Any, Any, Any, Any]:
    """``Person`` (LongStr ``bio``, lazy by default, and lazy str ``note``; Json ``meta`` and
    a datetime read with the row) and ``Pupil`` (``school``, ``grade``, ``courses`` and a lazy
    Json ``extra``), a ``Club`` of members and a ``Course`` of pupils; the root's attributes
    declared in ``root_order``.  The SELECT leaves two lazy columns out and adds two of the
    subclass's: as many columns as the root has."""
    kinds = {"name": Req[str], "n": Opt[int], "bio": Opt[LongStr], "meta": Opt[Json],
             "note": Opt[str], "at": Opt[datetime], "club": Single[f"Club{tag} | None"]}
    club = entity(f"Club{tag}", (Entity,), {"title": Req[str], "members": Set[f"Person{tag}"]})
    person = entity(f"Person{tag}", (Entity,),
                    {"id": PK[int], **{name: kinds[name] for name in root_order}},
                    note=Opt(lazy=True))
    pupil = entity(f"Pupil{tag}", (person,),
                   {"school": Opt[str], "grade": Opt[int], "extra": Opt[Json],
                    "courses": Set[f"Course{tag}"]}, extra=Opt(lazy=True))
    course = entity(f"Course{tag}", (Entity,), {"title": Req[str], "pupils": Set[pupil]})
    return club, person, pupil, course


ORDER = ["name", "bio", "n", "meta", "note", "at", "club"]
AT = datetime(2024, 5, 6, 7, 8, 9)


def fill(club: Any, person: Any, pupil: Any, course: Any) -> None:
    with db_session:
        chess = club(title="chess")
        person(name="ann", n=3, bio="b" * 5000, meta={"k": [1, 2]}, note="x", at=AT,
               club=chess)
        pupil(name="bob", n=4, school="north", grade=9, meta=[7], extra={"e": 2}, club=chess)
        person(name="cy", n=5)
        course(title="math", pupils=[pupil.get(name="bob")])


def expected() -> list[tuple[Any, ...]]:
    return [("ann", 3, "b" * 5000, {"k": [1, 2]}, "x", AT, False),
            ("bob", 4, "", [7], "", None, True),
            ("cy", 5, "", None, "", None, False)]


def seen(p: Any, pupil: Any) -> tuple[Any, ...]:
    return (p.name, p.n, p.bio, p.meta, p.note, p.at, isinstance(p, pupil))


def test_select_reads_each_column_and_class(make_db):
    club, person, pupil, course = hierarchy(ORDER)
    make_db([club, person, pupil, course], create_tables=True)
    fill(club, person, pupil, course)
    with db_session:
        assert [seen(p, pupil) for p in person.select().order_by(person.name)] == expected()
    with db_session:
        (bob,) = pupil.select()[:]
        assert (bob.school, bob.grade, bob.extra, bob.club.title) == ("north", 9, {"e": 2}, "chess")


def test_key_get_and_prefetch_read_each_column(make_db):
    club, person, pupil, course = hierarchy(ORDER)
    make_db([club, person, pupil, course], create_tables=True)
    fill(club, person, pupil, course)
    ann, bob, cy = expected()
    with db_session:
        keys = {p.name: p.id for p in person.select()}
    with db_session:
        assert seen(person[keys["ann"]], pupil) == ann
        assert seen(person[keys["bob"]], pupil) == bob and person[keys["bob"]].school == "north"
    with db_session:
        assert seen(pupil[keys["bob"]], pupil) == bob and pupil[keys["bob"]].extra == {"e": 2}
        assert seen(person.get(name="cy"), pupil) == cy
        assert pupil.get(name="bob").school == "north"
    with db_session:  # one-to-many: the members are read by a query of Person
        (chess,) = club.select().prefetch("members")[:]
        assert sorted(seen(m, pupil) for m in chess.members) == [ann, bob]
    with db_session:  # many-to-many: the pupils are read through the join table
        (math,) = course.select().prefetch("pupils")[:]
        (only,) = math.pupils
        assert (seen(only, pupil), only.school, only.extra) == (bob, "north", {"e": 2})


def test_any_declaration_order_reads_each_column(make_db):
    orders = list(itertools.permutations(ORDER))
    for i, order in enumerate(random.Random(7).sample(orders, 4)):
        club, person, pupil, course = hierarchy(list(order), tag=str(i))
        make_db([club, person, pupil, course], create_tables=True)
        fill(club, person, pupil, course)
        with db_session:
            rows = [seen(p, pupil) for p in person.select().order_by(person.name)]
            assert rows == expected(), order
            assert [p.school for p in pupil.select()] == ["north"], order
