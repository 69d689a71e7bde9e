"""PostgreSQL reader for ``introspect``: ``pg_catalog`` in ``current_schema()``.

Columns come from ``pg_attribute`` with ``format_type`` (``character varying(80)``,
``numeric(10,3)``...), identity columns are ``auto``, and defaults lose the casts PostgreSQL
adds (``'new'::character varying``).  Constraints come from ``pg_constraint`` with their columns
in key order; an index backing a primary key, unique or exclusion constraint is not reported
as an index.
"""

from __future__ import annotations

import re
from typing import Any

from ...schema.compare import canonical_sql_default
from ...schema.introspect import column_dict, decimal_type, new_table, str_type, unknown_type

_SIMPLE_TYPES = {
    "integer": "int", "double precision": "float", "real": "float",
    "boolean": "bool", "bytea": "bytes",
    "timestamp without time zone": "datetime", "timestamp with time zone": "datetimetz",
    "date": "date", "time without time zone": "time", "time with time zone": "time",
    "uuid": "uuid", "jsonb": "json", "json": "json", "text": "str", "interval": "timedelta",
    "real[]": "vector",
}
_SIZED_INTS = {"smallint": 16, "bigint": 64}
_SIZED = re.compile(r"([a-z ]+?)\s*\((\d+)(?:,(\d+))?\)(.*)")
_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
              "d": "SET DEFAULT"}

_TABLES_SQL = """
SELECT c.oid, c.relname FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
"""
_COLUMNS_SQL = """
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.attidentity, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""
_CONSTRAINTS_SQL = """
SELECT con.conrelid, con.conname, con.contype, con.conkey, ref.relname, con.confkey,
       con.confrelid, con.confdeltype
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_class ref ON ref.oid = con.confrelid
WHERE c.relnamespace = current_schema()::regnamespace AND con.contype IN ('p', 'u', 'f')
ORDER BY con.conrelid, con.conname
"""
_UNSIGNED_SQL = """
SELECT con.conrelid, con.conkey[1], pg_get_constraintdef(con.oid)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
WHERE c.relnamespace = current_schema()::regnamespace AND con.contype = 'c'
  AND array_length(con.conkey, 1) = 1
"""
_UNSIGNED = re.compile(r'CHECK \(\("?[^"]+"? >= 0\)\)')
#: The length of a ``Vec`` column (``REAL[]``), which only its CHECK states.
_DIMENSIONS = re.compile(r'CHECK \(\(cardinality\("?[^"]+"?\) = (\d+)\)\)')
_INDEXES_SQL = """
SELECT i.indrelid, ic.relname, i.indisunique, i.indkey::int2[]
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE ic.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
ORDER BY i.indrelid, ic.relname
"""


def read_tables(db: Any) -> dict[str, dict[str, Any]]:
    """Return ``{table name: table dict}`` for every table in the current schema."""
    names = {oid: name for oid, name in db._execute(_TABLES_SQL)}
    tables = {name: new_table() for name in names.values()}
    attnames: dict[int, dict[int, str]] = {}
    for oid, num, col, sql_type, notnull, identity, default in db._execute(_COLUMNS_SQL):
        attnames.setdefault(oid, {})[num] = col
        type_info = parse_type(sql_type)
        auto = bool(identity) or str(default or "").startswith("nextval(")
        tables[names[oid]]["columns"][col] = column_dict(
            type_info,
            nullable=not notnull,
            auto=auto,
            sql_default=None if auto else canonical_sql_default(default, type_info["type"]),
        )
    for oid, con, kind, key, ref_table, ref_key, ref_oid, on_delete in db._execute(
        _CONSTRAINTS_SQL
    ):
        table = tables[names[oid]]
        cols = [attnames[oid][n] for n in key]
        if kind == "p":
            table["primary_key"] = cols
        elif kind == "u":
            table["uniques"][con] = {"columns": cols}
        else:
            ref_names = attnames.get(ref_oid) or _attnames(db, ref_oid)
            table["foreign_keys"][con] = {
                "columns": cols,
                "ref_table": ref_table,
                "ref_columns": [ref_names[n] for n in ref_key],
                "on_delete": _ON_DELETE[on_delete],
            }
    for oid, num, clause in db._execute(_UNSIGNED_SQL):
        column = tables[names[oid]]["columns"][attnames[oid][num]]
        if _UNSIGNED.fullmatch(clause) and column["type"] == "int":
            column["unsigned"] = True  # ``unsigned=True``: a CHECK (col >= 0) here
        dimensions = _DIMENSIONS.fullmatch(clause)
        if dimensions and column["type"] == "vector":
            column["dimensions"] = int(dimensions.group(1))
    for oid, index, unique, key in db._execute(_INDEXES_SQL):
        if oid not in names:
            continue
        # An expression column (attnum 0) has no name; keep a marker so it never looks equal.
        cols = [attnames[oid].get(n, "<expression>") for n in key]
        tables[names[oid]]["indexes"][index] = {"columns": cols, "unique": bool(unique)}
    return tables


def _attnames(db: Any, oid: int) -> dict[int, str]:
    """Column names of a table outside the current schema (a foreign key may point there)."""
    rows = db._execute(
        "SELECT attnum, attname FROM pg_attribute WHERE attrelid = ? AND attnum > 0", [oid]
    )
    return dict(rows)


#: The spellings ``PostgresDialect.column_type`` writes, as ``format_type`` reports them.
_DDL_SPELLINGS = {"INTEGER": "integer", "DOUBLE PRECISION": "double precision",
                  "BOOLEAN": "boolean", "BYTEA": "bytea", "DATE": "date", "UUID": "uuid",
                  "JSONB": "jsonb", "TEXT": "text", "TIMESTAMP": "timestamp without time zone",
                  "TIME": "time without time zone", "SMALLINT": "smallint", "BIGINT": "bigint",
                  "TIMESTAMPTZ": "timestamp with time zone", "INTERVAL": "interval"}
_DDL_VECTOR = re.compile(r"REAL\[(\d+)\]")
_DDL_SIZED = re.compile(r"(VARCHAR|NUMERIC|TIMESTAMPTZ|TIMESTAMP|TIME)\((\d+(?:,\d+)?)\)")
_DDL_BASES = {"VARCHAR": "character varying({})", "NUMERIC": "numeric({})",
              "TIMESTAMP": "timestamp({}) without time zone",
              "TIMESTAMPTZ": "timestamp({}) with time zone", "TIME": "time({}) without time zone"}


def parse_type(sql_type: str) -> dict[str, Any]:
    """Map ``format_type`` output (or the DDL spelling NextORM writes) to a logical type.

    A ``Vec`` column is ``real[]`` in the catalog: its length comes from its CHECK
    (``read_tables``); the DDL spelling ``REAL[384]`` carries it.
    """
    vector = _DDL_VECTOR.fullmatch(sql_type)
    if vector:
        return {"type": "vector", "dimensions": int(vector.group(1))}
    sql_type = _DDL_SPELLINGS.get(sql_type, sql_type)
    ddl = _DDL_SIZED.fullmatch(sql_type)
    if ddl:
        sql_type = _DDL_BASES[ddl.group(1)].format(ddl.group(2))
    if sql_type in _SIZED_INTS:
        return {"type": "int", "size": _SIZED_INTS[sql_type]}
    if sql_type in _SIMPLE_TYPES:
        return str_type(None) if sql_type == "text" else {"type": _SIMPLE_TYPES[sql_type]}
    sized = _SIZED.fullmatch(sql_type)
    if sized:
        base, size, scale, suffix = sized.groups()
        size_i = int(size)
        if base == "numeric":
            return decimal_type(size_i, int(scale) if scale else 0)
        if base in ("character varying", "character"):
            return str_type(size_i)
        if base in ("timestamp", "time") and suffix.strip() in ("without time zone",
                                                                 "with time zone"):
            ltype = _SIMPLE_TYPES[f"{base} {suffix.strip()}"]
            return {"type": ltype} if size_i == 6 else {"type": ltype, "precision": size_i}
    if sql_type == "character varying":
        return str_type(None)
    if sql_type == "numeric":
        return decimal_type(None, None)
    return unknown_type(sql_type)
