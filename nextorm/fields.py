"""Attribute markers for entity declarations.

An entity attribute is declared with an annotation and, optionally, options::

    class User(Entity):
        id: PK[int]
        name: Req[str] = Req(max_len=80)     # or: name: Req[str] = Req[str](80)
        bio: Opt[str]
        posts: Set["Post"]

``PK``, ``Req``, ``Opt``, ``Single``, ``Set`` and ``Local`` are markers: subscripting one
(``Req[str]``) gives an :class:`Attr` carrying the Python type, calling one (``Req(unique=True)``)
gives an :class:`Attr` carrying options, and calling a subscripted one (``Req[str](64)``) gives
both.  The entity metaclass merges the annotation with the assigned value.

This module needs no database and imports no database code.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any

from .records import FrozenRecord, Record

KINDS = ("pk", "req", "opt", "single", "set", "local")

#: Options of every stored scalar attribute (PK, Req and Opt).
_SCALAR_OPTIONS = frozenset({
    "column", "max_len", "precision", "scale", "renamed_from", "sql_type", "size", "unsigned",
    "py_check", "min", "max", "autostrip", "uuid_auto", "lazy", "volatile", "dimensions"})
_VALUE_OPTIONS = _SCALAR_OPTIONS | {"unique", "index", "default", "sql_default"}

#: Options each marker accepts; anything else is a declaration error naming the option.
ALLOWED_OPTIONS: dict[str, frozenset[str]] = {
    "pk": _SCALAR_OPTIONS | {"auto", "default", "sql_default"},
    "req": _VALUE_OPTIONS | {"primary_key", "auto"},
    "opt": _VALUE_OPTIONS | {"nullable"},
    "single": frozenset(
        {"column", "columns", "nullable", "on_delete", "fk_name", "reverse", "index", "unique",
         "renamed_from", "cascade_delete", "owner", "primary_key", "lazy"}
    ),
    "set": frozenset({"reverse", "table", "reverse_column", "reverse_columns", "lazy"}),
    "local": frozenset({"default", "py_check"}),
}

ON_DELETE_ACTIONS = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")


class Attr(Record):
    """One declared attribute: its marker kind, Python type and options.

    A plain class with ``__slots__`` rather than a dataclass: one is made per attribute of
    every entity (and per ``Req[str]`` in a class body), so its constructor is on the path of
    every import of a project's models (see ``nextorm.records``).  Not hashable: it changes
    while its entity is declared.
    """

    __slots__ = ("kind", "py_type", "options", "name", "entity", "stored", "conflicts")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, kind: str, py_type: Any = None, options: dict[str, Any] | None = None,
                 name: str = "", entity: Any = None, stored: bool = True,
                 conflicts: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.py_type = py_type
        self.options: dict[str, Any] = {} if options is None else options
        self.name = name
        self.entity: Any = entity  # the owning entity class, set by the metaclass
        #: False for the side of a one-to-one ``Single`` pair that holds no column (the
        #: mapping decides it: ``mapping.py``).
        self.stored = stored
        #: Options given twice with different values (``Req[str](10, max_len=20)``): the
        #: metaclass reports them naming the attribute.  A tuple: nearly always the empty
        #: one, shared (a list per attribute was one more object for the GC to walk).
        self.conflicts = conflicts

    def __call__(self, *args: Any, **options: Any) -> Attr:
        """Return a copy with options added; positional args are a size (``Req[str](64)``)."""
        merged = dict(self.options)
        positional = _positional_options(self.kind, self.py_type, args)
        merged.update(positional)
        conflicts = (*self.conflicts, *_conflicts(positional, options))
        merged.update(options)
        return Attr(self.kind, self.py_type, merged, conflicts=conflicts)

    def merged_with(self, other: Attr) -> Attr:
        """Combine the annotation (type) with the assigned value (options)."""
        py_type = self.py_type if self.py_type is not None else other.py_type
        options = {**self.options, **other.options}
        conflicts = (*self.conflicts, *other.conflicts, *_conflicts(self.options, other.options))
        return Attr(self.kind, py_type, options, conflicts=conflicts)

    @property
    def in_primary_key(self) -> bool:
        """True for a PK attribute and a ``PK[Entity]`` (a Single that is the key)."""
        return self.kind == "pk" or (self.kind == "single" and bool(self.opt("primary_key")))

    def opt(self, key: str, default: Any = None) -> Any:
        """Return an option's value, or ``default`` when it was not given."""
        return self.options.get(key, default)

    @property
    def is_relation(self) -> bool:
        return self.kind in ("single", "set")

    @property
    def is_column(self) -> bool:
        """True for attributes stored in the entity's own table."""
        return self.kind in ("pk", "req", "opt", "single") and self.stored

    def __repr__(self) -> str:
        owner = getattr(self.entity, "__name__", "?")
        return f"<{self.kind.capitalize()} {owner}.{self.name or '?'}>"


def _conflicts(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """The options both give, with different values: ``max_len=10 and max_len=20``."""
    return [f"{key}={first[key]!r} and {key}={second[key]!r}" for key in first
            if key in second and first[key] != second[key]]


def _positional_options(kind: str, py_type: Any, args: tuple[Any, ...]) -> dict[str, Any]:
    """Interpret positional arguments: a size for ``str``, precision/scale for Decimal."""
    if not args:
        return {}
    from decimal import Decimal

    keys: tuple[str, ...]
    if py_type is Decimal:
        keys = ("precision", "scale")
    elif py_type is int:
        keys = ("size",)  # ``Req[int](64)``: the column's bit size
    elif py_type is str or kind in ("req", "opt", "pk"):
        keys = ("max_len",)
    else:
        keys = ()
    if len(args) > len(keys):
        from .errors import DeclarationError

        raise DeclarationError(f"{kind.capitalize()}[{getattr(py_type, '__name__', py_type)}] "
                        f"takes at most {len(keys)} positional argument(s), got {len(args)}")
    return dict(zip(keys, args, strict=False))


class Marker:
    """A declaration marker such as ``Req``: subscript it for a type, call it for options."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        #: ``Req[str]``, ``Single["Post"]``: one shared Attr per plain class or name, since a
        #: models module subscripts the same few types thousands of times.  Shared, so never
        #: changed: the metaclass, ``Attr.__call__`` and ``merged_with`` make new ones.
        self._made: dict[Any, Attr] = {}

    def __getitem__(self, py_type: Any) -> Attr:
        if type(py_type) is type or type(py_type) is str:
            made = self._made.get(py_type)
            if made is None:
                made = self._made[py_type] = self._subscripted(py_type)
            return made
        return self._subscripted(py_type)

    def _subscripted(self, py_type: Any) -> Attr:
        inner, optional = _without_none(py_type)
        if optional and self.kind == "single":  # ``Single[T | None]``: a nullable key
            return Attr(self.kind, inner, {"nullable": True})
        return Attr(self.kind, inner if optional else py_type)

    def __call__(self, *args: Any, **options: Any) -> Attr:
        return Attr(self.kind)(*args, **options)

    def __repr__(self) -> str:
        return self.kind.capitalize() if self.kind != "pk" else "PK"


def _without_none(py_type: Any) -> tuple[Any, bool]:
    """``T | None`` (or ``Optional[T]``) -> ``(T, True)``; any other type -> ``(type, False)``."""
    if isinstance(py_type, type):  # a class (``Req[str]``), never a union: no typing calls
        return py_type, False
    if isinstance(py_type, str) and "|" in py_type:  # ``Single["Profile | None"]``
        names = [n.strip() for n in py_type.split("|")]
        rest = [n for n in names if n != "None"]
        return (rest[0], True) if len(rest) == 1 and len(names) == 2 else (py_type, False)
    args = typing.get_args(py_type)
    if typing.get_origin(py_type) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return py_type, False


PK = Marker("pk")
Req = Marker("req")
Opt = Marker("opt")
Single = Marker("single")
Set = Marker("set")
Local = Marker("local")


class Composite(FrozenRecord):
    """A multi-attribute constraint declared in a class body (immutable and hashable, as the
    frozen dataclass it was)."""

    __slots__ = ("kind", "attrs", "name")
    kind: str  # "key" (unique), "index" or "primary_key"
    attrs: tuple[str, ...]
    name: str | None

    def __init__(self, kind: str, attrs: tuple[str, ...], name: str | None = None) -> None:
        for key, value in (("kind", kind), ("attrs", attrs), ("name", name)):
            object.__setattr__(self, key, value)


def _register_composite(item: Composite) -> Composite:
    # Called from a class body: record the item there too, so the bare-statement form
    # ``composite_key("a", "b")`` works as well as ``_k = composite_key("a", "b")``.
    frame = sys._getframe(2)
    frame.f_locals.setdefault("__nextorm_composites__", []).append(item)
    return item


def composite_key(*attrs: str, name: str | None = None) -> Composite:
    """Declare a unique key over several attributes."""
    return _register_composite(Composite("key", tuple(attrs), name))


def composite_index(*attrs: str, name: str | None = None) -> Composite:
    """Declare a (non-unique) index over several attributes."""
    return _register_composite(Composite("index", tuple(attrs), name))


def PrimaryKey(*attrs: str) -> Composite:  # noqa: N802 - published name
    """Declare a composite primary key over several attributes."""
    return _register_composite(Composite("primary_key", tuple(attrs)))
