"""Read a live database back into the schema dict of ``schema/model.py``.

``introspect(db)`` is how the migration system sees what a database really holds: tests compare
it with the model right after ``create_tables`` (``introspect(db) == physical(db.schema_dict())``,
see ``schema/compare.py``), and the migration commands can check a database against its
snapshot.  Each server's dialect reads its own catalog (``dialects/<server>/introspect.py``:
``sqlite_master`` and ``PRAGMA``s, ``pg_catalog`` in ``current_schema()``,
``information_schema`` in ``DATABASE()``) with the helpers below; this module asks the
bound dialect and drops NextORM's own bookkeeping tables (``_nextorm_migrations`` and anything else starting with ``_nextorm``).

The result has the model's shape exactly: logical types with their parameters, ``nullable``,
``auto``, canonical ``sql_default`` spellings, the primary key in key order, unique constraints,
indexes other than those backing a key, and foreign keys with their ``on_delete`` action.  Keys
only the model can know (``default``, ``empty_default``) are never present.
"""

from __future__ import annotations

from typing import Any

from .model import SCHEMA_FORMAT

#: Tables NextORM keeps for itself; they are not part of the user's schema.
INTERNAL_TABLE_PREFIX = "_nextorm"


def introspect(db: Any) -> dict[str, Any]:
    """Return the schema dict of the database ``db`` is bound to."""
    if db.dialect is None:
        from ..errors import NotBoundError

        raise NotBoundError("database is not bound: call db.bind(provider, ...) first")
    tables = db.dialect.introspect_tables(db)
    return {
        "format": SCHEMA_FORMAT,
        "tables": {
            name: tables[name] for name in sorted(tables)
            if not name.startswith(INTERNAL_TABLE_PREFIX)
        },
    }


def new_table() -> dict[str, Any]:
    """Return an empty table dict with every key the model has."""
    return {"columns": {}, "primary_key": [], "indexes": {}, "uniques": {}, "foreign_keys": {}}


def column_dict(
    type_info: dict[str, Any], nullable: bool, auto: bool, sql_default: str | None
) -> dict[str, Any]:
    """Assemble a column dict with the keys in the model's order."""
    col: dict[str, Any] = {"type": type_info["type"], "nullable": nullable}
    col.update({k: v for k, v in type_info.items() if k != "type"})
    if auto:
        col["auto"] = True
    if sql_default is not None:
        col["sql_default"] = sql_default
    return col


def str_type(max_len: int | None) -> dict[str, Any]:
    """A ``str`` column: with ``max_len``, or unlimited text when it is None."""
    return {"type": "str", "max_len": max_len} if max_len else {"type": "str"}


def decimal_type(precision: int | None, scale: int | None) -> dict[str, Any]:
    from .model import DEFAULT_DECIMAL

    return {
        "type": "decimal",
        "precision": precision if precision is not None else DEFAULT_DECIMAL[0],
        "scale": scale if scale is not None else 0 if precision is not None else DEFAULT_DECIMAL[1],
    }


def unknown_type(sql_type: str) -> dict[str, Any]:
    """A type NextORM never creates: kept verbatim so a comparison shows it plainly."""
    return {"type": f"sql:{sql_type}"}
