"""The operation base classes, the statements dialects return beside SQL text, and helpers.

Operations, ``Statement`` and ``CallDefault`` are small immutable records.  They are not
``@dataclass``es: generating a dataclass's methods costs half a millisecond per class, and the
twenty records here were 10 ms of every ``makemigrations``.  ``Record`` reads the fields from
the class's annotations once, as a dataclass does, and shares one ``__init__``, ``__eq__``,
``__hash__`` and ``__repr__``; ``dataclass_transform`` tells type checkers it behaves like a
frozen dataclass, so constructor calls are checked as before.
"""

from __future__ import annotations

from typing import Any, ClassVar, dataclass_transform

_MISSING = object()


@dataclass_transform(frozen_default=True)
class Record:
    """An immutable record whose fields are its annotations (``ClassVar`` ones excluded).

    A class attribute of a field's name is its default.  Fields are positional or keyword
    arguments, the inherited ones first; instances compare, hash and print by their fields.
    """

    #: The fields, inherited ones first (filled in by ``__init_subclass__``).
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [name for name, kind in cls.__dict__.get("__annotations__", {}).items()
               if not str(kind).startswith(("ClassVar", "typing.ClassVar"))]
        cls._fields = (*cls._fields, *(name for name in own if name not in cls._fields))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        if len(args) > len(self._fields):
            raise TypeError(f"{name}() takes {len(self._fields)} arguments, {len(args)} given")
        values = dict(zip(self._fields, args, strict=False))
        for key, value in kwargs.items():
            if key not in self._fields or key in values:
                raise TypeError(f"{name}() got an unexpected or repeated argument {key!r}")
            values[key] = value
        for field in self._fields[len(args):]:
            if field not in values:
                default = getattr(type(self), field, _MISSING)
                if default is _MISSING:
                    raise TypeError(f"{name}() is missing the argument {field!r}")
                values[field] = default
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is "
                             "immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is immutable")

    def _values(self) -> tuple[Any, ...]:
        return tuple(self.__dict__[field] for field in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{field}={value!r}" for field, value in
                          zip(self._fields, self._values(), strict=True))
        return f"{type(self).__name__}({shown})"


class Operation(Record):
    """Base class: one step of a migration."""

    #: Dropping something that holds data loses it; the file marks such steps.
    destructive: ClassVar[bool] = False
    #: The tables ``apply`` changes in place: ``"table"`` its own, ``"all"`` (renames: the
    #: foreign keys that name the renamed thing), ``""`` none (it adds or removes whole tables,
    #: or changes only rows).  A walk of the schema state copies those tables first.
    changes_in_place: ClassVar[str] = "table"

    def reverse(self) -> Operation:
        """Return the operation that undoes this one."""
        raise NotImplementedError(type(self).__name__)

    #: The words of ``describe``, ``name_fragment`` and ``loss``, formatted with the fields
    #: (an operation whose words are computed overrides the method instead).
    summary: ClassVar[str] = ""
    fragment: ClassVar[str] = ""
    lost: ClassVar[str] = ""

    def describe(self) -> str:
        """Return a short plain-words summary for comments and file docstrings."""
        return self._words(self.summary)

    def name_fragment(self) -> str:
        """Return a file-name fragment such as ``create_user`` or ``add_email_to_user``."""
        return self._words(self.fragment)

    def _words(self, template: str) -> str:
        if not template:
            raise NotImplementedError(type(self).__name__)
        return template.format_map(self.__dict__)

    def apply(self, tables: dict[str, Any]) -> None:
        """Change ``tables`` (the schema dict's tables) as the database will change."""
        raise NotImplementedError(type(self).__name__)

    def reverse_operations(self) -> list[Operation]:
        """Return the operations that undo this one (usually just ``reverse()``)."""
        return [self.reverse()]

    def loss(self) -> str | None:
        """Return what a destructive step destroys, in words for a warning line (else None)."""
        return self._words(self.lost) if self.lost else None


class TableChange(Operation):
    """An operation that changes one existing table in place.

    SQLite, which cannot alter most things in place, rebuilds the table: the renderer hands it
    the table's definition before the step (``schema.state.walk``), never the operation.
    """

    table: str


class Rename(Operation):
    """Rename a table or a column (``old_name`` to ``new_name``), keeping what it holds.

    The foreign keys that name it follow it, in other tables too; the reverse renames it back.
    """

    changes_in_place: ClassVar[str] = "all"

    def reverse(self) -> Operation:
        names = {"old_name": self.__dict__["new_name"], "new_name": self.__dict__["old_name"]}
        return type(self)(**{**self.__dict__, **names})


# -- statements a dialect may return beside plain SQL strings ---------------------------------


class Statement(Record):
    """One SQL statement with parameters (``?`` placeholders), e.g. an UPDATE backfill, or a check.

    A check (``error`` set) is a query that returns a row, holding the number of bad rows, only
    when the data cannot take the change; the migration then raises ``error``, with ``{bad}``
    standing for that number.  ``reason`` is the comment above it in the file and ``loss`` what
    the change would silently destroy without it.  Checks run first, before any DDL, except an
    ``in_place`` one, which checks what the statements just before it did.
    """

    sql: str
    params: tuple[Any, ...] = ()
    error: str = ""
    reason: str = ""
    loss: str = ""
    in_place: bool = False

    @property
    def must_return_nothing(self) -> Statement | None:
        """This statement if it is a check (its query must return no rows), else None.

        The writer hands it to the templates as ``check``, so they can read its message.
        """
        return self if self.error else None


def column_summary(col: dict[str, Any]) -> str:
    """Return ``str(80) NOT NULL``-style words for a column dict."""
    text = col["type"]
    if col["type"] == "str" and col.get("max_len"):
        text += f"({col['max_len']})"
    elif col["type"] == "decimal":
        text += f"({col['precision']},{col['scale']})"
    text += " NULL" if col.get("nullable") else " NOT NULL"
    if col.get("sql_default") is not None:
        text += f" DEFAULT {col['sql_default']}"
    return text


def _show(value: Any) -> str:
    if isinstance(value, dict) and "sql" in value:
        return value["sql"]
    return repr(value)


def apply_operations(ops: list[Operation], schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` with ``ops`` applied in order (what the database will hold)."""
    from ..state import copied

    result = copied(schema)
    for op in ops:
        op.apply(result["tables"])
    return result
