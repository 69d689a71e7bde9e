"""Rules about one column of the schema dict, written once.

- which keys the database stores (``PHYSICAL_KEYS``) and which only the model knows
  (``MODEL_ONLY_KEYS``: the Python ``default`` and ``empty_default``, the ``Opt[str]`` rule
  that the ORM stores ``''`` for "no value" in a NOT NULL column);
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
PHYSICAL_KEYS = ("type", "max_len", "precision", "scale", "nullable", "sql_default", "auto")
#: Column keys that only the model knows; a database cannot report them.
MODEL_ONLY_KEYS = ("default", "empty_default")


def column_identity(col: dict[str, Any]) -> dict[str, Any]:
    """The part of a column dict the database stores (``nullable`` only when true)."""
    return {k: col[k] for k in PHYSICAL_KEYS if k in col and not (k == "nullable" and not col[k])}


def needs_value(col: dict[str, Any]) -> bool:
    """True if existing rows need a value for this column: NOT NULL, no server default."""
    return not col.get("nullable") and col.get("sql_default") is None
