"""A wrong entity declaration raises one clear error naming the class and the attribute.

Mistakes visible in one class body raise DeclarationError when the class is created; mistakes
that need the other entities (a missing counterpart, an ambiguous relation, an unregistered
target, two entities on one table) raise when ``generate_mapping`` resolves them.  No database
is needed for any of this.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nextorm import (
    PK,
    Database,
    DeclarationError,
    Entity,
    MappingError,
    Opt,
    PrimaryKey,
    Req,
    Set,
    Single,
    composite_index,
    composite_key,
)


def mapped(*entities: type) -> Database:
    db = Database(entities=list(entities))
    db.generate_mapping()
    return db


def test_unknown_type_names_class_and_attribute():
    with pytest.raises(DeclarationError, match=r"Gadget\.part: unsupported type 'object'"):
        class Gadget(Entity):
            part: Req[object]


def test_unknown_option_names_class_attribute_and_option():
    with pytest.raises(DeclarationError, match=r"Gadget\.name: unknown option\(s\) colour for Req"):
        class Gadget(Entity):
            name: Req[str] = Req(colour="red")


def test_option_of_another_marker_is_unknown():
    with pytest.raises(DeclarationError, match=r"Gadget\.id: unknown option\(s\) unique for PK"):
        class Gadget(Entity):
            id: PK[int] = PK(unique=True)


def test_option_that_does_not_fit_the_type():
    with pytest.raises(DeclarationError, match=r"Gadget\.size: max_len applies only to str"):
        class Gadget(Entity):
            size: Req[int] = Req(max_len=10)
    with pytest.raises(DeclarationError, match=r"Gadget\.price: precision applies only to Decimal"):
        class Gadget(Entity):  # noqa: F811 - each declaration is its own attempt
            price: Req[float] = Req(precision=10)


def test_bad_max_len():
    with pytest.raises(DeclarationError, match=r"Gadget\.name: max_len must be a positive"):
        class Gadget(Entity):
            name: Req[str] = Req(max_len=0)


def test_marker_without_type():
    with pytest.raises(DeclarationError, match=r"Gadget\.name: Req needs a type"):
        class Gadget(Entity):
            name: Req


def test_annotation_and_value_of_different_markers():
    with pytest.raises(DeclarationError, match=r"Gadget\.name: annotated as Req but assigned Opt"):
        class Gadget(Entity):
            name: Req[str] = Opt(max_len=10)


def test_relation_to_a_non_entity():
    with pytest.raises(DeclarationError, match=r"Gadget\.owner: Single\[int\] needs an entity"):
        class Gadget(Entity):
            owner: Single[int]


def test_unknown_on_delete_action():
    with pytest.raises(DeclarationError, match=r"Gadget\.parent: on_delete must be one of"):
        class Gadget(Entity):
            parent: Single["Gadget"] = Single(on_delete="EXPLODE")


def test_set_null_on_a_non_nullable_single():
    class Owner(Entity):
        name: Req[str]
        gadgets: Set["Gadget"]

    class Gadget(Entity):
        owner: Single[Owner] = Single(on_delete="SET NULL")

    with pytest.raises(DeclarationError, match=r"Gadget\.owner: on_delete='SET NULL' needs nullable"):
        mapped(Owner, Gadget)


def test_set_with_no_counterpart():
    class Gadget(Entity):
        name: Req[str]

    class Owner(Entity):
        gadgets: Set[Gadget]

    with pytest.raises(MappingError, match=r"Owner\.gadgets: Set\[Gadget\] has no counterpart"):
        mapped(Gadget, Owner)


def test_two_ambiguous_relations():
    class Person(Entity):
        name: Req[str]
        messages: Set["Message"]

    class Message(Entity):
        sender: Single[Person]
        recipient: Single[Person]

    with pytest.raises(
        MappingError,
        match=r"Person\.messages: ambiguous relation, candidates are Message\.sender, "
              r"Message\.recipient; pass reverse=",
    ):
        mapped(Person, Message)


def test_reverse_resolves_the_ambiguity():
    class Person(Entity):
        name: Req[str]
        sent: Set["Message"] = Set(reverse="sender")
        received: Set["Message"] = Set(reverse="recipient")

    class Message(Entity):
        sender: Single[Person]
        recipient: Single[Person]

    db = mapped(Person, Message)
    assert db.mapping[Person].relations["sent"].reverse.name == "sender"
    assert db.mapping[Person].relations["received"].reverse.name == "recipient"


def test_reverse_naming_nothing():
    class Person(Entity):
        sent: Set["Message"] = Set(reverse="author")

    class Message(Entity):
        sender: Single[Person]

    with pytest.raises(MappingError, match=r"Person\.sent: reverse='author' is not a Single"):
        mapped(Person, Message)


def test_composite_index_naming_a_missing_attribute():
    with pytest.raises(
        DeclarationError, match=r"Gadget: composite index names missing attribute 'colour'"
    ):
        class Gadget(Entity):
            name: Req[str]
            _idx = composite_index("name", "colour")


def test_composite_key_and_primary_key_naming_missing_attributes():
    with pytest.raises(DeclarationError, match=r"Gadget: composite key names missing attribute 'x'"):
        class Gadget(Entity):
            name: Req[str]
            composite_key("name", "x")
    with pytest.raises(
        DeclarationError, match=r"Gadget: composite primary key names missing attribute 'y'"
    ):
        class Gadget(Entity):  # noqa: F811
            name: Req[str]
            PrimaryKey("name", "y")


def test_composite_over_a_set_is_refused():
    with pytest.raises(DeclarationError, match=r"Gadget: composite index attribute 'parts'"):
        class Gadget(Entity):
            parts: Set["Gadget"]
            composite_index("parts")


def test_pk_attributes_and_primary_key_together():
    with pytest.raises(DeclarationError, match=r"Gadget: declare either PK attributes or PrimaryKey"):
        class Gadget(Entity):
            code: PK[str]
            name: Req[str]
            PrimaryKey("code", "name")


def test_id_that_is_not_a_primary_key():
    with pytest.raises(DeclarationError, match=r"Gadget\.id: an attribute named 'id' must be"):
        class Gadget(Entity):
            id: Req[int]


def test_auto_on_a_non_int_primary_key():
    class Gadget(Entity):
        code: PK[str] = PK(auto=True)

    with pytest.raises(DeclarationError, match=r"Gadget\.code: auto=True needs an int"):
        mapped(Gadget)


def test_duplicate_table_names():
    class Gadget(Entity):
        name: Req[str]

    class Widget(Entity):
        _table_name_ = "gadget"
        name: Req[str]

    with pytest.raises(MappingError, match=r"Widget and Gadget both use table 'gadget'"):
        mapped(Gadget, Widget)


def test_two_attributes_on_one_column():
    with pytest.raises(MappingError, match=r"Gadget\.label: column 'name' is also used by Gadget\.name"):
        class Gadget(Entity):
            name: Req[str]
            label: Req[str] = Req(column="name")

        mapped(Gadget)


def test_unregistered_target():
    class Owner(Entity):
        name: Req[str]

    class Gadget(Entity):
        owner: Single[Owner]

    with pytest.raises(MappingError, match=r"Gadget\.owner: entity 'Owner' is not registered"):
        mapped(Gadget)


def test_unregistered_forward_reference():
    class Gadget(Entity):
        owner: Single["Nobody"]  # noqa: F821 - the missing entity is the point

    with pytest.raises(MappingError, match=r"Gadget\.owner: entity 'Nobody' is not registered"):
        mapped(Gadget)


def test_column_count_of_a_reference_to_a_composite_key():
    class Line(Entity):
        order_no: Req[int]
        pos: Req[int]
        PrimaryKey("order_no", "pos")

    class Note(Entity):
        line: Single[Line] = Single(column="line_id")

    with pytest.raises(DeclarationError, match=r"Note\.line: column= names 1 column\(s\)"):
        mapped(Line, Note)


def test_a_name_given_twice_in_a_table():
    class Owner(Entity):
        name: Req[str]

    class Gadget(Entity):
        maker: Single[Owner] = Single(fk_name="fk_gadget_owner")
        seller: Single[Owner] = Single(fk_name="fk_gadget_owner")

    with pytest.raises(DeclarationError, match=r"Gadget\.seller: name 'fk_gadget_owner' is already"):
        mapped(Owner, Gadget)


def test_a_name_given_in_two_tables():
    class Owner(Entity):
        name: Req[str] = Req(index="ix_name")

    class Gadget(Entity):
        name: Req[str] = Req(index="ix_name")

    with pytest.raises(DeclarationError, match=r"tables 'owner' and 'gadget' both use the name"):
        mapped(Owner, Gadget)


def test_default_that_cannot_be_stored():
    class Gadget(Entity):
        made: Req[dt.datetime] = Req(default=object())

    with pytest.raises(DeclarationError, match=r"Gadget\.made: default .* cannot be stored"):
        mapped(Gadget)


def test_too_many_positional_options():
    with pytest.raises(DeclarationError, match=r"Req\[Decimal\] takes at most 2 positional"):
        Req[Decimal](10, 2, 5)


def test_correct_declarations_map_cleanly():
    class Owner(Entity):
        name: Req[str] = Req[str](80)
        price: Opt[Decimal] = Opt[Decimal](10, 3)
        gadgets: Set["Gadget"]

    class Gadget(Entity):
        owner: Single[Owner] = Single(nullable=True, on_delete="SET NULL")

    columns = mapped(Owner, Gadget).schema_dict()["tables"]["owner"]["columns"]
    assert columns["name"]["max_len"] == 80
    assert (columns["price"]["precision"], columns["price"]["scale"]) == (10, 3)


@pytest.mark.parametrize("name", ["delete", "select", "get", "set", "to_dict"])
def test_attribute_named_like_an_entity_method_is_refused(name):
    from nextorm import Entity, Req

    with pytest.raises(DeclarationError, match=rf"Clash\.{name}: the name is taken by Entity"):
        type("Clash", (Entity,), {"__annotations__": {name: Req[bool]}, "__module__": __name__})
