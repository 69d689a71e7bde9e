"""Convert nextorm 0.5.1's ``.schema_snapshot.json`` into this NextORM's schema dict.

0.5.1's snapshot is ``{table: {"columns": [{name, nullable, primary_key, unique}],
"foreign_keys": [{name, column, ref_table, ref_column, on_delete}], "indexes": [{name,
columns, unique}]}}``: no ``format`` key and no types.  Its diff compares only those flags, so
it is the entities as 0.5.1 last saw them *in those terms*.  The conversion keeps that
meaning, so the next ``makemigrations`` writes only what changed since, never a rewrite of
everything 0.5.1 created differently:

- a table, column, key, index or foreign key the snapshot records that the entities still
  declare the same way takes the entities' full definition (types included), with the
  definitions this NextORM adds that 0.5.1 never records: a join table's primary key, the
  index supporting each foreign key;
- what changed since (a column's nullability, a dropped column or table, a removed index or
  key) keeps the snapshot's version, with the column types read from the live database
  where the entities no longer have them;
- what the snapshot does not record (a new table, column, index or unique key) is left out,
  so it is the change the next migration makes.

Where 0.5.1's DDL differs from this NextORM's for the same declaration (``TEXT`` for
``VARCHAR(255)``, no index for a foreign key, no primary key on a join table), the database
keeps 0.5.1's version: ``check`` lists those differences, and none of them changes behaviour.
"""

from __future__ import annotations

import copy
from typing import Any

from ..schema.model import SCHEMA_FORMAT
from ..schema.names import constraint_name


def is_051(data: Any) -> bool:
    """True if ``data`` (a parsed snapshot) is in nextorm 0.5.1's format."""
    return (isinstance(data, dict) and "format" not in data and bool(data)
            and all(isinstance(t, dict) and isinstance(t.get("columns"), list)
                    for t in data.values()))


def convert(old: dict[str, Any], model: dict[str, Any],
            live: dict[str, Any]) -> dict[str, Any]:
    """Return the schema dict (format, tables) standing for 0.5.1's snapshot ``old``.

    ``model`` and ``live`` are the ``tables`` of the entities and of the database.
    """
    tables = {}
    for name, table in old.items():
        declared, found = model.get(name), live.get(name)
        if declared is None:
            tables[name] = copy.deepcopy(found) if found else _bare(name, table)
        else:
            tables[name] = _table(name, table, declared, found or {})
    return {"format": SCHEMA_FORMAT, "tables": tables}


def _table(name: str, old: dict[str, Any], declared: dict[str, Any],
           live: dict[str, Any]) -> dict[str, Any]:
    """One table still declared: the entities' definitions where 0.5.1 recorded the same."""
    columns = {}
    for column in old["columns"]:
        mine = declared["columns"].get(column["name"])
        if mine is None:
            mine = live.get("columns", {}).get(column["name"]) or _guess(column)
        columns[column["name"]] = {**copy.deepcopy(mine), "nullable": column["nullable"]}
    old_pk = [c["name"] for c in old["columns"] if c["primary_key"]]
    pk = declared["primary_key"]
    if old_pk and old_pk != pk or not set(pk) <= set(columns):
        pk = old_pk  # 0.5.1 records no composite key: an empty list means "as declared"
    foreign_keys = _foreign_keys(name, old, declared)
    return {
        "columns": columns,
        "primary_key": list(pk),
        "uniques": _uniques(name, old, declared),
        "indexes": _indexes(name, old, declared, foreign_keys),
        "foreign_keys": foreign_keys,
    }


def _uniques(name: str, old: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """Single-column keys from the ``unique`` flags; composite keys from unique indexes."""
    flagged = [[c["name"]] for c in old["columns"] if c["unique"] and not c["primary_key"]]
    flagged += [list(i["columns"]) for i in old["indexes"]
                if i.get("unique") and _declared_index(declared, i["columns"], True) is None]
    result = {}
    for columns in flagged:
        mine = next((n for n, u in declared["uniques"].items() if u["columns"] == columns), None)
        result[mine or constraint_name("unq", name, columns)] = {"columns": columns}
    return result


def _indexes(name: str, old: dict[str, Any], declared: dict[str, Any],
             foreign_keys: dict[str, Any]) -> dict[str, Any]:
    """0.5.1's indexes, and the entities' index supporting each kept foreign key."""
    result = {}
    for index in old["indexes"]:
        columns, unique = list(index["columns"]), bool(index.get("unique"))
        mine = _declared_index(declared, columns, unique)
        if unique and mine is None:
            continue  # a unique key in this NextORM (see _uniques)
        result[mine or index["name"]] = {"columns": columns, "unique": unique}
    for fk in foreign_keys.values():
        supporting = _declared_index(declared, fk["columns"], False)
        if supporting is not None:
            result[supporting] = copy.deepcopy(declared["indexes"][supporting])
    return result


def _declared_index(declared: dict[str, Any], columns: list[str], unique: bool) -> str | None:
    return next((n for n, i in declared["indexes"].items()
                 if i["columns"] == list(columns) and bool(i["unique"]) == unique), None)


def _foreign_keys(name: str, old: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """0.5.1's foreign keys, under the entities' definition where it is the same key."""
    result = {}
    for fk in old["foreign_keys"]:
        entry = {"columns": [fk["column"]], "ref_table": fk["ref_table"],
                 "ref_columns": [fk["ref_column"]],
                 "on_delete": fk.get("on_delete") or "NO ACTION"}
        mine = next((n for n, f in declared["foreign_keys"].items()
                     if {k: f.get(k) for k in entry} == entry), None)
        if mine is not None:
            result[mine] = copy.deepcopy(declared["foreign_keys"][mine])
        else:
            result[fk.get("name") or constraint_name("fk", name, entry["columns"])] = entry
    return result


def _bare(name: str, old: dict[str, Any]) -> dict[str, Any]:
    """A table neither declared nor in the database: 0.5.1's flags, types guessed."""
    empty: dict[str, Any] = {"columns": {}, "primary_key": [], "uniques": {}, "indexes": {},
                             "foreign_keys": {}}
    table = _table(name, old, empty, {})
    table["primary_key"] = [c["name"] for c in old["columns"] if c["primary_key"]]
    return table


def _guess(column: dict[str, Any]) -> dict[str, Any]:
    """The type of a column known only to 0.5.1 (no database to read it from)."""
    return {"type": "int", "auto": True} if column["primary_key"] else {"type": "str"}
