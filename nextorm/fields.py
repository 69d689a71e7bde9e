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
from dataclasses import dataclass, field
from typing import Any

KINDS = ("pk", "req", "opt", "single", "set", "local")

#: Options each marker accepts; anything else is a declaration error naming the option.
ALLOWED_OPTIONS: dict[str, frozenset[str]] = {
    "pk": frozenset({"column", "auto", "max_len", "precision", "scale", "renamed_from"}),
    "req": frozenset(
        {"column", "max_len", "unique", "index", "default", "sql_default", "precision",
         "scale", "renamed_from"}
    ),
    "opt": frozenset(
        {"column", "max_len", "unique", "index", "default", "sql_default", "precision",
         "scale", "nullable", "renamed_from"}
    ),
    "single": frozenset(
        {"column", "nullable", "on_delete", "fk_name", "reverse", "index", "unique",
         "renamed_from"}
    ),
    "set": frozenset({"reverse", "table"}),
    "local": frozenset({"default"}),
}

ON_DELETE_ACTIONS = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")


@dataclass
class Attr:
    """One declared attribute: its marker kind, Python type and options."""

    kind: str
    py_type: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    entity: Any = None  # the owning entity class, set by the metaclass

    def __call__(self, *args: Any, **options: Any) -> Attr:
        """Return a copy with options added; positional args are a size (``Req[str](64)``)."""
        merged = dict(self.options)
        merged.update(_positional_options(self.kind, self.py_type, args))
        merged.update(options)
        return Attr(self.kind, self.py_type, merged)

    def merged_with(self, other: Attr) -> Attr:
        """Combine the annotation (type) with the assigned value (options)."""
        py_type = self.py_type if self.py_type is not None else other.py_type
        options = {**self.options, **other.options}
        return Attr(self.kind, py_type, options)

    def opt(self, key: str, default: Any = None) -> Any:
        """Return an option's value, or ``default`` when it was not given."""
        return self.options.get(key, default)

    @property
    def is_relation(self) -> bool:
        return self.kind in ("single", "set")

    @property
    def is_column(self) -> bool:
        """True for attributes stored in the entity's own table."""
        return self.kind in ("pk", "req", "opt", "single")

    def __repr__(self) -> str:
        owner = getattr(self.entity, "__name__", "?")
        return f"<{self.kind.capitalize()} {owner}.{self.name or '?'}>"


def _positional_options(kind: str, py_type: Any, args: tuple[Any, ...]) -> dict[str, Any]:
    """Interpret positional arguments: a size for ``str``, precision/scale for Decimal."""
    if not args:
        return {}
    from decimal import Decimal

    keys: tuple[str, ...]
    if py_type is Decimal:
        keys = ("precision", "scale")
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

    def __getitem__(self, py_type: Any) -> Attr:
        return Attr(self.kind, py_type)

    def __call__(self, *args: Any, **options: Any) -> Attr:
        return Attr(self.kind)(*args, **options)

    def __repr__(self) -> str:
        return self.kind.capitalize() if self.kind != "pk" else "PK"


PK = Marker("pk")
Req = Marker("req")
Opt = Marker("opt")
Single = Marker("single")
Set = Marker("set")
Local = Marker("local")


@dataclass(frozen=True)
class Composite:
    """A multi-attribute constraint declared in a class body."""

    kind: str  # "key" (unique), "index" or "primary_key"
    attrs: tuple[str, ...]
    name: str | None = None


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
