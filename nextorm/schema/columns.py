"""Rules about one column of the schema dict, written once.

- which keys the database stores (``PHYSICAL_KEYS``) and which only the model knows
  (``MODEL_ONLY_KEYS``: the Python ``default`` and ``empty_default``, the ``Opt[str]`` rule
  that the ORM stores ``''`` for "no value" in a NOT NULL column, ``stores_empty_string``);
- ``column_identity``: the stored part of a column, what two columns must share to be "the
  same column" (renames, the diff);
- ``needs_value``: a NOT NULL column without a server default, whose existing rows need a
  value when it is added or made NOT NULL.

The schema-level comparison with a live database (canonical SQL defaults) is
``schema.compare.physical``, which drops ``MODEL_ONLY_KEYS`` too.
"""

from __future__ import annotations

from typing import Any

#: Column keys that exist in the database.
PHYSICAL_KEYS = ("type", "max_len", "precision", "scale", "size", "unsigned", "dimensions",
                 "sql_type", "nullable", "sql_default", "auto")
#: Column keys that only the model knows; a database cannot report them.  ``sql_type`` (the
#: column's type as the user wrote it for DDL) is in both: a change of it is a change of the
#: column, but a catalog reports the type in its own spelling, read back as the logical type.
MODEL_ONLY_KEYS = ("default", "empty_default", "sql_type")


def stores_empty_string(kind: str, ltype: str | None, nullable: bool) -> bool:
    """True for an ``Opt[str]`` that is NOT NULL and stores ``''`` for "no value" (0.5.1's rule,
    unless ``Opt(nullable=True)``).  The schema (``empty_default``) and the ORM's value checks
    both ask here."""
    return kind == "opt" and ltype == "str" and not nullable


def column_identity(col: dict[str, Any]) -> dict[str, Any]:
    """The part of a column dict the database stores (``nullable`` only when true)."""
    return {k: col[k] for k in PHYSICAL_KEYS if k in col and not (k == "nullable" and not col[k])}


def needs_value(col: dict[str, Any]) -> bool:
    """True if existing rows need a value for this column: NOT NULL, no server default."""
    return not col.get("nullable") and col.get("sql_default") is None
