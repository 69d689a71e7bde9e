"""Single-table inheritance: ``class Student(Person)`` shares Person's table (nextorm 0.5.1).

A subclass of an entity inherits its attributes, primary key, composites and table, and adds
columns of its own (nullable in the shared table, since the parent's rows have none).  Every
class of the hierarchy has a discriminator value (``_discriminator_``, by default the class
name), stored in the root's discriminator column (``_discriminator_col_``, by default
``classtype``); the ORM writes it on create, filters a subclass's queries by it and reads each
row back as its own class (``orm/layout.py``).

The entity metaclass (``entity.py``) calls ``inherit`` when the class derives from an entity;
the schema (``schema/model.py``) and the mapping (``mapping.py``) ask ``root_of`` and
``hierarchy``.  No database is needed.
"""

from __future__ import annotations

from typing import Any

from .errors import DeclarationError
from .fields import Attr

#: The discriminator column when the root names none (Pony's and many ORMs' name).
DEFAULT_DISCRIMINATOR_COLUMN = "classtype"


def entity_parent(name: str, bases: tuple[type, ...]) -> Any:
    """The entity ``name`` derives from (None for a direct subclass of ``Entity``)."""
    parents = [b for b in bases if "_attrs_" in vars(b)]
    if len(parents) > 1:
        raise DeclarationError(f"{name}: an entity derives from one entity at most, not "
                               f"{', '.join(p.__name__ for p in parents)}")
    return parents[0] if parents else None


def inherit(cls: Any, parent: Any, own: dict[str, Attr], ns: dict[str, Any]) -> None:
    """Set up ``cls`` as a subclass of ``parent`` sharing its table."""
    where = cls.__name__
    for attr_name, attr in own.items():
        if attr_name in parent._attrs_:
            raise DeclarationError(f"{where}.{attr_name}: {parent.__name__} declares it "
                                   f"already; a subclass cannot declare it again")
        if attr.in_primary_key:
            raise DeclarationError(f"{where}.{attr_name}: a subclass shares the primary key "
                                   f"of {parent.__name__}; it cannot declare its own")
    root = parent._sti_root_ or parent
    for option in ("_table_name_", "_table_"):
        if ns.get(option) not in (None, root._table_name_):
            raise DeclarationError(f"{where}.{option}: a subclass shares the table "
                                   f"{root._table_name_!r} of {root.__name__}")
    if ns.get("_discriminator_col_") not in (None, discriminator_column(root)):
        raise DeclarationError(f"{where}._discriminator_col_: only the root entity "
                               f"{root.__name__} names the discriminator column")
    cls._attrs_ = {**parent._attrs_, **own}
    cls._sti_parent_ = parent
    cls._sti_root_ = root
    cls._table_name_ = root._table_name_


def discriminator_of(name: str, ns: dict[str, Any]) -> str:
    """The class's ``_discriminator_`` (default: its name), checked."""
    value = ns.get("_discriminator_", name)
    if not isinstance(value, str) or not value:
        raise DeclarationError(f"{name}._discriminator_ must be a non-empty string")
    return value


def declared_column(name: str, ns: dict[str, Any]) -> str | None:
    """The root's own ``_discriminator_col_`` (None when it names none), checked."""
    value = ns.get("_discriminator_col_")
    if value is not None and (not isinstance(value, str) or not value):
        raise DeclarationError(f"{name}._discriminator_col_ must be a column name (a string)")
    return value


def discriminator_column(root: Any) -> str:
    """The discriminator column of ``root``'s table."""
    return root._discriminator_col_ or DEFAULT_DISCRIMINATOR_COLUMN


def root_of(entity: Any) -> Any:
    """The root of ``entity``'s hierarchy (itself when it has no entity parent)."""
    return getattr(entity, "_sti_root_", None) or entity


def hierarchy(entity: Any, entities: list[Any]) -> list[Any]:
    """``entity`` and its subclasses among ``entities`` (the classes its rows may be)."""
    return [e for e in entities  # most entities have no parent: no call for them
            if e is entity or (e._sti_parent_ is not None and _derives(e, entity))]


def _derives(entity: Any, ancestor: Any) -> bool:
    parent = entity._sti_parent_
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent._sti_parent_
    return False


def uses_discriminator(root: Any, entities: list[Any]) -> bool:
    """True if the root's table has a discriminator column: a subclass of it is mapped, or
    the root names the column itself (``_discriminator_col_``)."""
    if root._discriminator_col_ is not None:
        return True
    # No class derives from it (most entities): no need to look through ``entities``, which
    # the schema builder does for every entity.  Any subclass of an entity is an entity.
    return bool(root.__subclasses__()) and len(hierarchy(root, entities)) > 1
