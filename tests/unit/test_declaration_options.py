"""nextorm 0.5.1's declaration options and types, as the schema dict sees them; every mistake is
one clear error naming the class and the attribute, when the class is created (or mapped).

No database is needed for any of this.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from nextorm import PK, Database, Entity, Local, Opt, Req, Set, Single
from nextorm.errors import DeclarationError, MappingError
from nextorm.types import DateTimeTz, Json, LongStr, ulid, uuid7


def tables(*entities: type) -> dict:
    db = Database(entities=list(entities))
    db.generate_mapping()
    return db.schema_dict()["tables"]


@pytest.mark.parametrize(("body", "message"), [
    ("x: Req[int] = Req(column=123)", r"Gadget\.x: column must be a non-empty string, not 123"),
    ("x: Req[str] = Req[str](10, max_len=20)",
     r"Gadget\.x: conflicting options max_len=10 and max_len=20"),
    ("x: Req[int] = Req(size=12)", r"Gadget\.x: size must be one of \(8, 16, 24, 32, 64\)"),
    ("x: Req[str] = Req(size=16)", r"Gadget\.x: size applies only to int attributes, not str"),
    ("x: Req[int] = Req(min=5, max=1)", r"Gadget\.x: min=5 is greater than max=1"),
    ("x: Req[int] = Req(py_check=3)", r"Gadget\.x: py_check must be a function"),
    ("x: Req[int] = Req(autostrip=True)", r"autostrip applies only to str attributes"),
    ("x: Req[dt.datetime] = Req(precision=7)", r"Gadget\.x: precision of a datetime is 0 to 6"),
    ("x: Req[bool] = Req(precision=2)", r"precision applies only to Decimal, datetime"),
    ("x: PK[uuid.UUID] = PK(uuid_auto='v9')", r"Gadget\.x: uuid_auto must be 'v4' or 'v7'"),
    ("x: Req[str] = Req(lazy='yes')", r"Gadget\.x: lazy must be True or False"),
    ("x: Req[str] = Req(sql_type='')", r"Gadget\.x: sql_type must be a non-empty string"),
    ("x: Opt[int] = Opt(auto=True)", r"Gadget\.x: unknown option\(s\) auto for Opt"),
    ("x: Req[int] = Req(auto=False)", r"Gadget\.x: auto applies only to a primary key"),
    ("x: Single['Gadget'] = Single(on_delete='CASCADE', cascade_delete=True)",
     r"Gadget\.x: give on_delete= or cascade_delete=, not both"),
    ("x: Single['Gadget'] = Single(owner='yes')", r"Gadget\.x: owner must be True, False"),
    ("x: Set['Gadget'] = Set(reverse_column=['a', 'b'])",
     r"Gadget\.x: reverse_column must be a non-empty string, not \['a', 'b'\]"),
])
def test_a_wrong_option_names_class_attribute_and_problem(body: str, message: str) -> None:
    source = f"class Gadget(Entity):\n    {body}\n"
    scope = {"Entity": Entity, "PK": PK, "Req": Req, "Opt": Opt, "Single": Single,
             "Set": Set, "dt": dt, "uuid": uuid}
    with pytest.raises(DeclarationError, match=message):
        exec(source, scope)  # noqa: S102 - a class body under test


def test_table_and_table_name_are_the_same_option():
    class Old(Entity):
        _table_ = "legacy_things"

    assert Old._table_name_ == "legacy_things"
    with pytest.raises(DeclarationError, match=r"Both: _table_name_ = 'a' and _table_ = 'b'"):
        class Both(Entity):
            _table_name_ = "a"
            _table_ = "b"


def test_register_refuses_what_is_not_an_entity():
    db = Database(entities=[])
    with pytest.raises(MappingError, match=r"db\.register\(\): object is not an entity class"):
        db.register(object)
    with pytest.raises(MappingError, match=r"Database: int is not an entity class"):
        Database(entities=[int]).generate_mapping()


def test_types_and_options_in_the_schema_dict():
    class Thing(Entity):
        id: PK[uuid7]
        code: Req[ulid] = Req(unique=True)
        body: Opt[LongStr]
        data: Req[Json]
        at: Req[DateTimeTz] = Req(precision=3)
        took: Opt[dt.timedelta]
        tiny: Req[int](8)
        big: Req[int] = Req(size=64, unsigned=True)
        seen: Opt[dt.datetime] = Opt(precision=6)
        raw: Opt[str] = Opt(sql_type="CHAR(3)", nullable=True)

    columns = tables(Thing)["thing"]["columns"]
    assert columns["id"] == {"type": "uuid", "nullable": False}
    assert columns["code"] == {"type": "str", "nullable": False, "max_len": 26}
    assert columns["body"] == {"type": "str", "nullable": False, "empty_default": True}
    assert columns["data"] == {"type": "json", "nullable": False}
    assert columns["at"] == {"type": "datetimetz", "nullable": False, "precision": 3}
    assert columns["took"] == {"type": "timedelta", "nullable": True}
    assert columns["tiny"] == {"type": "int", "nullable": False, "size": 16}
    assert columns["big"] == {"type": "int", "nullable": False, "size": 64, "unsigned": True}
    assert columns["seen"] == {"type": "datetime", "nullable": True}  # 6 is the default
    assert columns["raw"] == {"type": "str", "nullable": True, "sql_type": "CHAR(3)"}
    assert Thing._attrs_["body"].opt("lazy") is True and Thing._attrs_["code"].opt("uuid_auto")


def test_nullable_single_by_annotation_also_as_a_forward_reference():
    source = '''
from __future__ import annotations
from nextorm import Entity, Req, Single, Set

class Post(Entity):
    title: Req[str]
    editor: Single[Editor | None]

class Editor(Entity):
    posts: Set[Post]
'''
    scope: dict = {}
    exec(source, scope)  # noqa: S102 - a module under test
    table = tables(scope["Post"], scope["Editor"])["post"]
    assert table["columns"]["editor_id"]["nullable"] is True
    assert table["foreign_keys"]["fk_post__editor_id"]["on_delete"] == "SET NULL"


def test_underscore_annotations_other_than_local_are_left_alone():
    class Plain(Entity):
        _note: str = "class-level"
        _cache: Local[dict] = Local[dict](default=dict)

    assert Plain._note == "class-level"
    assert set(Plain._attrs_) == {"id", "_cache"}
    assert set(tables(Plain)["plain"]["columns"]) == {"id"}


def test_one_to_one_owner_follows_051s_rules():
    class Alpha(Entity):
        beta: Single["Beta"]

    class Beta(Entity):
        alpha: Single[Alpha]

    found = tables(Alpha, Beta)
    assert "beta_id" in found["alpha"]["columns"] and found["beta"]["columns"] == {
        "id": {"type": "int", "nullable": False, "auto": True}}
    assert found["alpha"]["uniques"] == {"unq_alpha__beta_id": {"columns": ["beta_id"]}}


def test_singles_with_a_set_between_them_stay_many_to_one():
    class Dept(Entity):
        head: Single["Emp | None"] = Single(on_delete="SET NULL")
        staff: Set["Emp"] = Set(reverse="dept")

    class Emp(Entity):
        dept: Single[Dept]
        heads: Set[Dept] = Set(reverse="head")

    found = tables(Dept, Emp)
    assert "head_id" in found["dept"]["columns"] and "dept_id" in found["emp"]["columns"]
    assert not found["dept"]["uniques"] and not found["emp"]["uniques"]


def test_reverse_column_on_a_one_to_many_is_refused():
    class Owner(Entity):
        pets: Set["Pet"] = Set(reverse_column="owner_ref")
        name: Req[str]

    class Pet(Entity):
        owner: Single[Owner]
        name: Req[str]

    with pytest.raises(MappingError, match=r"Owner\.pets: reverse_column= names a join-table"):
        tables(Owner, Pet)


def test_two_singles_that_each_ask_for_a_column_stay_two_foreign_keys():
    class Left(Entity):
        right: Single["Right | None"] = Single(fk_name="fk_left_right")

    class Right(Entity):
        left: Single[Left] = Single(index=True)

    found = tables(Left, Right)
    assert "right_id" in found["left"]["columns"] and "left_id" in found["right"]["columns"]
    assert not found["left"]["uniques"] and not found["right"]["uniques"]


def test_the_side_without_the_column_cannot_ask_for_one():
    class Car(Entity):
        engine: Single["Engine"] = Single(owner=False, index=True)

    class Engine(Entity):
        car: Single[Car | None] = Single(owner=True)

    with pytest.raises(MappingError, match=r"Car\.engine: one side of the one-to-one with "
                                           r"Engine\.car holds the key column"):
        tables(Car, Engine)
