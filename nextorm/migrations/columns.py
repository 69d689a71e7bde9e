"""What the diff knows about one column: the part the database stores, and the value existing
rows get when the column must become NOT NULL.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..schema.operations import CallDefault
from .questioner import Questioner
from .values import coerce


def backfill_value(
    table: str, column: str, col: dict[str, Any], why: str, questioner: Questioner
) -> Any:
    """Return the value existing rows get when ``table.column`` must become NOT NULL.

    In order: the column's SQL default; a value given with ``--default``; the declared
    default (a callable gives a ``CallDefault``, computed when the migration runs, unless the
    questioner takes a one-off value instead); '' for text; else the questioner asks.
    """
    if col.get("sql_default") is not None:
        return {"sql": col["sql_default"]}
    given, value = questioner.given_default(table, column)
    if given:
        return value
    default = col.get("default")
    if isinstance(default, dict) and "callable" in default:
        call = call_default(default["callable"])
        return _checked(questioner.ask_callable_backfill(table, column, col, why, call), col)
    if default is not None:  # a Vec's default is JSON in the schema: its list of floats here
        return coerce(default, col) if col["type"] == "vector" else default
    if col["type"] == "str":
        return ""
    return _checked(questioner.ask_backfill(table, column, col, why), col)


def _checked(value: Any, col: dict[str, Any]) -> Any:
    """Check a questioner's answer against the column type (a subclass may skip the check)."""
    if isinstance(value, CallDefault) or isinstance(value, dict) and "sql" in value:
        return value
    return coerce(value, col)


def call_default(path: str) -> CallDefault:
    """Return ``path`` (``module.qualname`` from the schema dict) with its importable module.

    The longest importable prefix is the module (``datetime.datetime.now`` lives in
    ``datetime``); a lambda or a local function has none, as a migration file cannot call it.
    """
    parts = path.split(".")
    if any(p.startswith("<") for p in parts):
        return CallDefault(path)
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        try:
            target: Any = importlib.import_module(module)
        except Exception:  # not a module (ImportError), or one that fails to import
            continue
        try:
            for name in parts[cut:]:
                target = getattr(target, name)
        except AttributeError:
            return CallDefault(path)
        return CallDefault(path, module) if callable(target) else CallDefault(path)
    return CallDefault(path)
