"""The logical types of the schema dict as SQL types: the part of a dialect that maps types.

``Dialect`` (``base.py``) inherits it; each server's dialect sets ``type_names`` and overrides
what it spells differently.  The reverse map (an SQL type read from the catalog back to a
logical type) is each server's ``introspect.parse_type``; ``tests/unit/test_dialect_types.py``
checks that the two agree.
"""

from __future__ import annotations

from typing import Any


class TypeMap:
    """SQL types of logical column types, and how values of each type are stored."""

    name: str = ""

    def column_type(self, col: dict[str, Any]) -> str:
        """Return the SQL type for a column dict of the schema."""
        ltype = col["type"]
        if col.get("sql_type"):
            return str(col["sql_type"])  # the user's own type, written as given
        if ltype == "str":
            return self.str_type(col.get("max_len"))
        if ltype == "decimal":
            return f"{self.type_names['decimal']}({col['precision']},{col['scale']})"
        if ltype == "int":
            return self.int_type(col.get("size"), bool(col.get("unsigned")))
        if ltype in ("datetime", "datetimetz", "time") and "precision" in col:
            return self.temporal_type(ltype, col["precision"])
        if ltype == "vector":
            return self.vector_type(col["dimensions"])
        return self.type_names[ltype]

    type_names: dict[str, str] = {}
    #: The int types by bit size (no size: ``type_names["int"]``).
    int_type_names: dict[int, str] = {16: "SMALLINT", 64: "BIGINT"}
    #: How each logical type's values are stored, where not natively (``convert.py``).
    value_forms: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:  # migration files convert values by the dialect's name
            from ..convert import register_forms

            register_forms(cls.name, cls.value_forms)

    def int_type(self, size: int | None, unsigned: bool) -> str:
        """The SQL type of an int column of ``size`` bits (``UNSIGNED`` where it exists)."""
        name = self.int_type_names[size] if size else self.type_names["int"]
        return f"{name} UNSIGNED" if unsigned else name

    def temporal_type(self, ltype: str, precision: int) -> str:
        """A datetime or time type with ``precision`` digits of fractional seconds."""
        return f"{self.type_names[ltype].split('(')[0]}({precision})"

    def vector_type(self, dimensions: int) -> str:
        """The type of a ``Vec`` column (SQLite keeps the declared name, JSON text inside)."""
        return f"VECTOR({dimensions})"

    def declared_type(self, col: dict[str, Any]) -> str:
        """The column's type as a CREATE TABLE declares it (MariaDB adds a marker comment)."""
        return self.column_type(col)

    def str_type(self, max_len: int | None) -> str:
        """A string type of ``max_len`` characters (None: unlimited text)."""
        return f"VARCHAR({max_len})" if max_len else "TEXT"

