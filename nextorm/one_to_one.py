"""Which two ``Single`` attributes form one one-to-one relation, and which side owns the key.

Kept apart from ``mapping.py`` because the pairing rules (``reverse=``, ``owner=``, the
options that ask for a column) are one decision with their own tests, read by the mapping
only through ``one_to_one_pairs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import MappingError
from .fields import Attr

if TYPE_CHECKING:
    from .mapping import EntityClass  # only for annotations: mapping imports this module


def one_to_one_pairs(entities: list[EntityClass]) -> dict[int, tuple[Attr, Attr]]:
    """Find the ``Single`` <-> ``Single`` pairs (one-to-one): ``{id(owner): (owner, other)}``.

    Two Singles pointing at each other's entity are one relation when one names the other with
    ``reverse=``, or when each is the only Single to the other's entity, no ``Set`` between
    the two entities claims them and not both ask for a column of their own (``column=``,
    ``fk_name=``, ``index=``, ``unique=``, ``on_delete=``, a key or composite constraint: then
    they stay two foreign keys).  The owner holds the key column (UNIQUE); the other side gets
    ``stored = False`` and reads it.  The side asking for a column owns; else, as in nextorm
    0.5.1, ``owner=`` decides, else the required side when the other is nullable, else the
    entity whose name sorts first.
    """
    pairs: dict[int, tuple[Attr, Attr]] = {}
    seen: set[int] = set()
    for entity in entities:
        for attr in entity._attrs_.values():
            if attr.kind != "single" or id(attr) in seen or attr.entity is not entity:
                continue
            other = _counterpart_single(entity, attr)
            if other is None or id(other) in seen:
                continue
            seen.update((id(attr), id(other)))
            owner, back = _owner_first(attr, other)
            if _wants_column(back):
                raise MappingError(f"{back.entity.__name__}.{back.name}: one side of the "
                                   f"one-to-one with {owner.entity.__name__}.{owner.name} holds "
                                   f"the key column; pass owner=True to this side, or give the "
                                   f"column options to the other")
            back.stored = False
            pairs[id(owner)] = (owner, back)
    return pairs


def _counterpart_single(entity: EntityClass, attr: Attr) -> Attr | None:
    target: EntityClass = attr.py_type
    singles = [a for a in target._attrs_.values()
               if a.kind == "single" and a.py_type is entity and a is not attr]
    named = [a for a in singles if a.opt("reverse") == attr.name or attr.opt("reverse") == a.name]
    if named:
        return named[0]
    if attr.opt("reverse") is not None or len(singles) != 1 or singles[0].opt("reverse"):
        return None
    mine = [a for a in entity._attrs_.values() if a.kind == "single" and a.py_type is target]
    sets = [a for e, t in ((entity, target), (target, entity))
            for a in e._attrs_.values() if a.kind == "set" and a.py_type in (t, t.__name__)]
    if len(mine) != 1 or sets or target is entity or (
            _wants_column(attr) and _wants_column(singles[0])):
        return None  # a column on each side was asked for: two foreign keys
    return singles[0]


#: Options that only a side holding the key column can have.
_COLUMN_OPTIONS = ("column", "columns", "fk_name", "index", "unique", "on_delete",
                   "cascade_delete")


def _wants_column(attr: Attr) -> bool:
    """True if ``attr`` asks for a column of its own (options, key, composite constraint)."""
    return attr.in_primary_key or any(attr.opt(o) is not None for o in _COLUMN_OPTIONS) or any(
        attr.name in comp.attrs for comp in attr.entity._composites_)


def _owner_first(a: Attr, b: Attr) -> tuple[Attr, Attr]:
    if a.opt("owner") is None and b.opt("owner") is None and _wants_column(a) != _wants_column(b):
        return (a, b) if _wants_column(a) else (b, a)
    if a.opt("owner") is not None or b.opt("owner") is not None:
        if a.opt("owner") is True or b.opt("owner") is False:
            if b.opt("owner") is True:
                raise MappingError(f"{a.entity.__name__}.{a.name} and {b.entity.__name__}."
                                   f"{b.name} both say owner=True; one side holds the key")
            return a, b
        return b, a
    if bool(a.opt("nullable")) != bool(b.opt("nullable")):
        return (b, a) if a.opt("nullable") else (a, b)
    return (a, b) if (a.entity.__name__, a.name) <= (b.entity.__name__, b.name) else (b, a)
