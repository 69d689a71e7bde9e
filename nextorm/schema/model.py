"""Build the schema dict from mapped entities.

The schema dict is the one format every part of the migration system speaks (see
``docs/schema-dict.md``).  It is pure data: JSON-able, deterministic, dialect-neutral.  Keys are
dicts keyed by name so DeepDiff reports clean paths and declaration order never shows as a
change.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from ..declarations import TEMPORAL_TYPES, logical_type
from ..errors import DeclarationError
from ..fields import Attr
from ..inheritance import discriminator_column, uses_discriminator
from ..mapping import EntityClass, EntityMap
from .columns import stores_empty_string
from .names import MAX_IDENTIFIER_LENGTH, constraint_name

SCHEMA_FORMAT = 1
DEFAULT_STR_LEN = 255
DEFAULT_DECIMAL = (12, 2)


def build(maps: dict[EntityClass, EntityMap]) -> dict[str, Any]:
    """Return the schema dict for resolved entities."""
    tables: dict[str, Any] = {}
    entities = list(maps)
    # Roots first: a subclass (single-table inheritance) adds its columns to its root's table.
    for emap in sorted(maps.values(), key=lambda m: m.entity._sti_root_ is not None):
        table = _entity_table(emap, maps)
        if emap.entity._sti_root_ is None:
            tables[emap.table] = table
            if uses_discriminator(emap.entity, entities):
                _add_discriminator(table, emap.entity)
        else:
            _merge_subclass(tables[emap.table], table, emap.entity.__name__)
    owners: dict[str, Any] = {}  # join table -> the relation that made it
    for emap in maps.values():
        for rel in emap.relations.values():
            if rel.kind != "many_to_many" or rel.join_table is None \
                    or rel.attr.entity is not emap.entity:  # a subclass's inherited Set
                continue
            where = f"{emap.entity.__name__}.{rel.attr.name}"
            owner = owners.setdefault(rel.join_table, rel)
            if owner is rel and rel.join_table in tables:
                raise DeclarationError(
                    f"{where}: join table {rel.join_table!r} is also an entity's table; "
                    f"pass Set(table=...) to name it"
                )
            if owner is not rel and owner.attr is not rel.reverse:
                raise DeclarationError(
                    f"{where}: join table {rel.join_table!r} is also used by "
                    f"{owner.attr.entity.__name__}.{owner.attr.name}; pass Set(table=...) "
                    f"to one of them"
                )
            if rel.join_table not in tables:
                tables[rel.join_table] = _join_table(rel, emap, maps)
    for table_name, table in tables.items():
        _index_foreign_keys(table_name, table)
    _check_names_unique(tables)
    _check_name_lengths(tables)
    return {"format": SCHEMA_FORMAT, "tables": tables}


def _add_discriminator(table: dict[str, Any], root: Any) -> None:
    """The column naming each row's class; rows written before it get the root's value."""
    column = discriminator_column(root)
    if column in table["columns"]:
        raise DeclarationError(f"{root.__name__}: the discriminator column {column!r} is also "
                               f"an attribute's column; set _discriminator_col_ to another name")
    literal = "'" + root._discriminator_.replace("'", "''") + "'"
    table["columns"][column] = {"type": "str", "max_len": DEFAULT_STR_LEN, "nullable": False,
                                "sql_default": literal}


def _merge_subclass(root: dict[str, Any], table: dict[str, Any], name: str) -> None:
    """Add a subclass's own columns (nullable: the other classes' rows have none) and keys."""
    for column, col in table["columns"].items():
        shared = {k: v for k, v in col.items() if k != "empty_default"}
        if column in root["columns"]:
            if root["columns"][column] not in (col, {**shared, "nullable": True}):
                raise DeclarationError(f"{name}: column {column!r} of the shared table "
                                       f"{root['columns'][column]} is declared differently "
                                       f"here ({col})")
            continue
        root["columns"][column] = {**shared, "nullable": True}
    for section in ("indexes", "uniques", "foreign_keys"):
        for key, value in table[section].items():
            _put(root, section, key, value, name)


def _check_name_lengths(tables: dict[str, Any]) -> None:
    """Every identifier must fit every server: PostgreSQL silently truncates longer ones."""
    for table_name, table in tables.items():
        names = [("table", table_name)] + [("column", c) for c in table["columns"]]
        names += [("name", n) for s in ("indexes", "uniques", "foreign_keys") for n in table[s]]
        for what, name in names:
            if len(name.encode()) > MAX_IDENTIFIER_LENGTH:
                raise DeclarationError(
                    f"table {table_name!r}: {what} {name!r} is {len(name.encode())} bytes long, "
                    f"more than {MAX_IDENTIFIER_LENGTH}; choose a shorter name"
                )


def _put(table: dict, section: str, name: str, value: dict, where: str) -> None:
    """Add a named index or constraint; a name given twice would silently lose one."""
    for other in ("indexes", "uniques", "foreign_keys"):
        if name in table[other] and (other != section or table[other][name] != value):
            raise DeclarationError(
                f"{where}: name {name!r} is already used in this table; "
                f"choose another index=, fk_name= or name="
            )
    if section == "uniques":  # SQLite keeps one of two unique keys over the same columns
        for other_name, other in table["uniques"].items():
            if other_name != name and other["columns"] == value["columns"]:
                raise DeclarationError(
                    f"{where}: unique key {name!r} repeats {other_name!r} (same columns); "
                    f"declare it once"
                )
    table[section][name] = value


def _check_names_unique(tables: dict[str, Any]) -> None:
    """Index and constraint names must differ across tables (PostgreSQL, MySQL require it)."""
    seen: dict[str, str] = {}
    for table_name, table in tables.items():
        for section in ("indexes", "uniques", "foreign_keys"):
            for name in table[section]:
                if name in seen and seen[name] != table_name:
                    raise DeclarationError(
                        f"tables {seen[name]!r} and {table_name!r} both use the name {name!r}; "
                        f"choose another index=, fk_name= or name="
                    )
                seen[name] = table_name


def empty_schema() -> dict[str, Any]:
    """Return the schema of a database with no tables (the state before ``0001``)."""
    return {"format": SCHEMA_FORMAT, "tables": {}}


def _entity_table(emap: EntityMap, maps: dict[EntityClass, EntityMap]) -> dict[str, Any]:
    entity = emap.entity
    table: dict[str, Any] = {
        "columns": {},
        "primary_key": emap.pk_columns,
        "indexes": {},
        "uniques": {},
        "foreign_keys": {},
    }
    single_pk = len(emap.pk_attrs) == 1
    for attr in entity._attrs_.values():
        if attr.kind in ("pk", "req", "opt"):
            col = emap.columns[attr.name][0]
            table["columns"][col] = _column(attr, single_pk)
        elif attr.kind == "single" and attr.stored:
            _add_single(table, emap, attr, maps)
        else:
            continue
        if not attr.options:  # most attributes: no unique key, no index
            continue
        cols = emap.columns[attr.name]
        where = f"{entity.__name__}.{attr.name}"
        if attr.opt("unique") and cols != emap.pk_columns:
            name = constraint_name("unq", emap.table, cols)
            _put(table, "uniques", name, {"columns": list(cols)}, where)
        index = attr.opt("index")
        if index:
            name = index if isinstance(index, str) else constraint_name("idx", emap.table, cols)
            _put(table, "indexes", name, {"columns": list(cols), "unique": False}, where)
    for comp in entity._composites_:
        cols = [c for attr_name in comp.attrs for c in emap.columns[attr_name]]
        if comp.kind == "key":
            if cols == emap.pk_columns:
                continue  # the primary key is unique already (SQLite would not report it)
            name = comp.name or constraint_name("unq", emap.table, cols)
            _put(table, "uniques", name, {"columns": cols}, entity.__name__)
        elif comp.kind == "index":
            name = comp.name or constraint_name("idx", emap.table, cols)
            _put(table, "indexes", name, {"columns": cols, "unique": False}, entity.__name__)
    return table


def _column(attr: Attr, single_pk: bool) -> dict[str, Any]:
    """The column dict of a pk, req or opt attribute.

    This runs for every column of every entity at each start (``generate_mapping``), so it
    reads the options dict directly and skips the options' rules for an attribute that has
    none (most of them: ``c: Req[str]``).
    """
    opts = attr.options
    ltype = logical_type(attr.py_type)
    col: dict[str, Any] = {"type": ltype, "nullable": False}
    if ltype == "str":
        max_len = opts["max_len"] if "max_len" in opts else default_max_len(attr)
        if max_len is not None:
            col["max_len"] = max_len
    elif ltype == "enum":
        values = [m.value for m in attr.py_type]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            col["type"] = "int"
        else:
            col["type"] = "str"
            col["max_len"] = max(len(str(v)) for v in values)
    elif ltype == "decimal":
        precision, scale = DEFAULT_DECIMAL
        col["precision"] = opts.get("precision", precision)
        # DECIMAL(1,2) is refused by MariaDB: an unstated scale never exceeds the precision.
        col["scale"] = opts.get("scale", min(scale, col["precision"]))
        if not 0 <= col["scale"] <= col["precision"]:
            raise DeclarationError(
                f"{attr.entity.__name__}.{attr.name}: scale={col['scale']} must be between 0 "
                f"and precision={col['precision']}"
            )
    if opts or ltype == "vector":
        _sized(attr, col)
    if attr.kind == "pk":
        auto = opts.get("auto", ltype == "int" and single_pk and not opts.get("sql_type"))
        if auto:
            if ltype != "int":
                raise DeclarationError(
                    f"{attr.entity.__name__}.{attr.name}: auto=True needs an int primary key")
            col["auto"] = True
    elif attr.kind == "opt":
        if stores_empty_string(attr.kind, col["type"], opts.get("nullable", False)):
            col["empty_default"] = True  # NOT NULL; the ORM stores '' for "no value"
        else:
            col["nullable"] = True
    if not opts:
        return col
    default = opts.get("default")
    if default is not None:
        col["default"] = _json_default(default, f"{attr.entity.__name__}.{attr.name}")
    if opts.get("sql_default") is not None:
        col["sql_default"] = str(opts["sql_default"])
    return col


def default_max_len(attr: Attr) -> int | None:
    """A plain ``str`` holds at most 255 characters unless ``max_len=`` says otherwise (nextorm
    0.5.1 sets no limit: ``max_len=None`` or ``LongStr`` is unlimited text); with an explicit
    ``sql_type=`` the server's type decides."""
    return None if attr.opt("sql_type") else DEFAULT_STR_LEN


def _sized(attr: Attr, col: dict[str, Any]) -> None:
    """The keys of ``size=``, ``unsigned=``, a datetime's ``precision=`` and ``sql_type=``.

    Sizes are stored as the servers can read them back: 8 and 16 bits are a 16-bit column
    (PostgreSQL has no 8-bit integer), 24 and 32 the default int, 64 a 64-bit column; the ORM
    still checks values against the declared size.  A datetime's precision of 6 (microseconds)
    is the default and not stored.
    """
    size = attr.opt("size")
    if size in (8, 16):
        col["size"] = 16
    elif size == 64:
        col["size"] = 64
    if attr.opt("unsigned"):
        col["unsigned"] = True
    if col["type"] in TEMPORAL_TYPES and attr.opt("precision") not in (None, 6):
        col["precision"] = attr.opt("precision")
    if attr.opt("sql_type"):
        col["sql_type"] = str(attr.opt("sql_type"))
    if col["type"] == "vector":
        col["dimensions"] = attr.opt("dimensions")


def _json_default(value: Any, where: str) -> Any:
    """Return a JSON-able form of a declared default (used to backfill existing rows)."""
    if callable(value) and not isinstance(value, enum.Enum):
        owner = getattr(value, "__self__", None)  # a bound method such as datetime.now
        module = getattr(value, "__module__", None) or getattr(owner, "__module__", None)
        qualname = getattr(value, "__qualname__", None)
        return {"callable": f"{module}.{qualname}"}
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, dict | list):
        return {"json": value}
    from decimal import Decimal  # only now: building a schema need not import them
    from uuid import UUID

    if isinstance(value, Decimal | UUID):
        return str(value)
    raise DeclarationError(f"{where}: default {value!r} cannot be stored in the schema")


def _add_single(table: dict, emap: EntityMap, attr: Attr, maps: dict[EntityClass, EntityMap]) -> None:
    target = maps[attr.py_type]
    cols = emap.columns[attr.name]
    nullable = bool(attr.opt("nullable", False))
    in_pk = attr.name in emap.pk_attrs
    for col, ref_col in zip(cols, target.pk_columns, strict=True):
        ref = _column_of(maps, target, ref_col)
        table["columns"][col] = _reference_column(ref, nullable and not in_pk)
    on_delete = attr.opt("on_delete") or _on_delete(attr.opt("cascade_delete"), nullable)
    if on_delete.upper() == "SET NULL" and not nullable:
        raise DeclarationError(
            f"{emap.entity.__name__}.{attr.name}: on_delete='SET NULL' needs nullable=True"
        )
    if emap.relations[attr.name].kind == "one_to_one" and cols != emap.pk_columns:
        # One-to-one: the owning side's key column is unique (0.5.1 does the same).
        _put(table, "uniques", constraint_name("unq", emap.table, cols),
             {"columns": list(cols)}, f"{emap.entity.__name__}.{attr.name}")
    name = attr.opt("fk_name") or constraint_name("fk", emap.table, cols)
    _put(table, "foreign_keys", name, {
        "columns": list(cols),
        "ref_table": target.table,
        "ref_columns": list(target.pk_columns),
        "on_delete": on_delete.upper(),
    }, f"{emap.entity.__name__}.{attr.name}")


def _on_delete(cascade_delete: bool | None, nullable: bool) -> str:
    """0.5.1's ``cascade_delete``: True CASCADE, False RESTRICT, None from ``nullable``."""
    if cascade_delete is None:
        return "SET NULL" if nullable else "CASCADE"
    return "CASCADE" if cascade_delete else "RESTRICT"


def _column_of(maps: dict[EntityClass, EntityMap], emap: EntityMap, column: str) -> dict[str, Any]:
    """Return the column dict of ``column`` in ``emap``'s table (for foreign-key columns)."""
    for attr_name, cols in emap.columns.items():
        if column in cols:
            attr = emap.entity._attrs_[attr_name]
            if attr.kind == "single":
                # A key column that itself references another entity: follow it.
                target = maps[attr.py_type]
                return _column_of(maps, target, target.pk_columns[cols.index(column)])
            return _column(attr, len(emap.pk_attrs) == 1)
    raise KeyError(column)


def _reference_column(ref: dict[str, Any], nullable: bool) -> dict[str, Any]:
    """A referencing column has the referenced column's type, never its auto/default."""
    col = {k: v for k, v in ref.items()
           if k in ("type", "max_len", "precision", "scale", "size", "unsigned", "sql_type")}
    col["nullable"] = nullable
    return col


def _join_table(rel: Any, emap: EntityMap, maps: dict[EntityClass, EntityMap]) -> dict[str, Any]:
    target = maps[rel.target]
    table: dict[str, Any] = {
        "columns": {},
        "primary_key": rel.join_columns + rel.join_target_columns,
        "indexes": {},
        "uniques": {},
        "foreign_keys": {},
    }
    for side, cols in ((emap, rel.join_columns), (target, rel.join_target_columns)):
        for col, ref_col in zip(cols, side.pk_columns, strict=True):
            table["columns"][col] = _reference_column(_column_of(maps, side, ref_col), False)
        name = constraint_name("fk", rel.join_table, cols)
        table["foreign_keys"][name] = {
            "columns": list(cols),
            "ref_table": side.table,
            "ref_columns": list(side.pk_columns),
            "on_delete": "CASCADE",
        }
    return table


def _index_foreign_keys(table_name: str, table: dict[str, Any]) -> None:
    """Give every foreign key a supporting index unless a key or index already leads with it.

    PostgreSQL does not index referencing columns by itself, and MySQL silently creates an
    index of its own; declaring it here keeps every dialect's schema equal to the model.
    """
    leading = [table["primary_key"]]
    leading += [u["columns"] for u in table["uniques"].values()]
    leading += [i["columns"] for i in table["indexes"].values()]
    for fk in table["foreign_keys"].values():
        cols = fk["columns"]
        if any(existing[: len(cols)] == cols for existing in leading):
            continue
        name = constraint_name("idx", table_name, cols)
        table["indexes"][name] = {"columns": list(cols), "unique": False}
        leading.append(cols)
