"""``Record``: equality, hash and repr from named fields, for small classes with ``__slots__``.

The records made on every start (a declared attribute, a relation, a migration file, a tracking
row, a captured statement...) were dataclasses; a dataclass compiles its methods with ``exec``
when its module is imported (``dataclasses`` itself pulls in ``inspect``, ``ast`` and
``dis``), about 0.3 ms a class on every ``import nextorm`` and every ``migrate``.  These
classes write their ``__init__`` by hand and take the rest from here, so they compare, hash
and print as the dataclasses did.  (The schema operations have their own immutable base,
``schema.operations.Record``, whose one ``__init__`` reads the fields from annotations.)
"""

from __future__ import annotations

from typing import Any

__all__ = ["FrozenRecord", "Record"]


class Record:
    """Compare, hash and print an instance by its ``_fields``, as a dataclass does.

    ``_fields`` defaults to the class's own ``__slots__``; a record that is changed after it
    is made sets ``__hash__ = None``, as a dataclass that is not frozen.
    """

    __slots__ = ()
    #: The fields compared, hashed and shown, in order.
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_fields" not in cls.__dict__ and cls.__dict__.get("__slots__"):
            cls._fields = tuple(cls.__dict__["__slots__"])

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"


class FrozenRecord(Record):
    """A ``Record`` that cannot change once made, as a frozen dataclass: ``__init__`` sets the
    fields with ``object.__setattr__``; copies and pickles are made through the constructor,
    whose positional parameters are the ``_fields`` in order."""

    __slots__ = ()

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {key!r}")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"cannot delete field {key!r}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), self._key()
