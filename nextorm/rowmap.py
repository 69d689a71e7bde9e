"""How one entity's rows are read and written on one database.

``EntityInfo`` is built once per (database, entity) from the mapping (``db.mapping``), the
schema dict and the dialect, and cached: the quoted table and column names, the converters of
every column (``convert.py``), the primary key, and which relations point here.  The session
and the queries use it so the per-row work is a few list operations.

Values of a ``Single`` attribute are kept as the related object, or as its *key* until loaded:
the key of an entity is its primary-key value (a tuple when the key has several attributes).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from .convert import converters
from .entity import logical_type

_CACHE: weakref.WeakKeyDictionary[Any, dict[type, EntityInfo]] = weakref.WeakKeyDictionary()


@dataclass
class AttrInfo:
    """One attribute stored in the entity's table (PK, Req, Opt or Single)."""

    name: str
    kind: str
    columns: list[str]
    quoted: list[str]
    to_db: list[Any]
    from_db: list[Any]
    nullable: bool
    required: bool
    empty_str: bool  # Opt[str] stored NOT NULL: '' stands for "no value"
    default: Any = None
    sql_default: Any = None
    max_len: int | None = None
    target: type | None = None  # Single: the related entity
    py_type: Any = None


@dataclass
class EntityInfo:
    entity: type
    table: str
    attrs: dict[str, AttrInfo]
    pk_attrs: list[str]
    auto_pk: str | None
    returning: bool
    relations: dict[str, Any]
    referrers: list[tuple[type, str, str]] | None = None
    mysql: bool = False
    _insert_sql: dict[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def column_attrs(self) -> list[AttrInfo]:
        return list(self.attrs.values())

    def key_of_row(self, values: dict[str, Any]) -> Any:
        """Return the identity key from an object's attribute values."""
        if len(self.pk_attrs) == 1:
            return _key(values.get(self.pk_attrs[0]))
        return tuple(_key(values.get(name)) for name in self.pk_attrs)


def _key(value: Any) -> Any:
    """The key of a value: an entity's own key, or the value itself."""
    state = getattr(value, "_vals_", None)
    if state is not None:
        return value._key_()
    return value


def entity_info(db: Any, entity: type) -> EntityInfo:
    """Return the cached EntityInfo of ``entity`` on ``db`` (which must be mapped)."""
    per_db = _CACHE.get(db)
    if per_db is None:
        per_db = _CACHE[db] = {}
    info = per_db.get(entity)
    if info is None:
        info = per_db[entity] = _build(db, entity)
    return info


def referrers(db: Any, info: EntityInfo) -> list[tuple[type, str, str]]:
    """Return ``(entity, attribute, on_delete)`` for every Single that references ``info``."""
    if info.referrers is None:
        found = []
        for entity, emap in db.mapping.items():
            table = db.schema()["tables"][emap.table]
            for attr in entity._attrs_.values():
                if attr.kind == "single" and attr.py_type is info.entity:
                    cols = emap.columns[attr.name]
                    on_delete = next((fk["on_delete"] for fk in table["foreign_keys"].values()
                                      if fk["columns"] == cols), "CASCADE")
                    found.append((entity, attr.name, on_delete))
        info.referrers = found
    return info.referrers


def _build(db: Any, entity: type) -> EntityInfo:
    emap = db.mapping[entity]
    table = db.schema()["tables"][emap.table]
    dialect = db.dialect
    attrs: dict[str, AttrInfo] = {}
    auto_pk = None
    for attr in entity._attrs_.values():
        if not attr.is_column:
            continue
        cols = emap.columns[attr.name]
        col_defs = [table["columns"][c] for c in cols]
        if attr.kind == "single":
            to_db, from_db = _key_converters(db, attr.py_type)
        else:
            to, frm = converters(attr.py_type, logical_type(attr.py_type), col_defs[0],
                                 dialect.name)
            to_db, from_db = [to], [frm]
        nullable = all(c.get("nullable", False) for c in col_defs)
        if col_defs[0].get("auto"):
            auto_pk = attr.name
        info = AttrInfo(
            name=attr.name, kind=attr.kind, columns=cols,
            quoted=[dialect.quote(c) for c in cols], to_db=to_db, from_db=from_db,
            nullable=nullable,
            required=not nullable and not col_defs[0].get("auto") and attr.kind != "opt"
            and attr.opt("sql_default") is None,
            empty_str=bool(col_defs[0].get("empty_default")),
            default=attr.opt("default"), sql_default=attr.opt("sql_default"),
            max_len=col_defs[0].get("max_len") if attr.kind != "single" else None,
            target=attr.py_type if attr.kind == "single" else None,
            py_type=attr.py_type,
        )
        attrs[attr.name] = info
    return EntityInfo(
        entity=entity, table=dialect.quote(emap.table), attrs=attrs, pk_attrs=emap.pk_attrs,
        auto_pk=auto_pk, returning=dialect.name == "postgres", relations=emap.relations,
        mysql=dialect.name == "mysql",
    )


def _key_converters(db: Any, entity: type) -> tuple[list[Any], list[Any]]:
    """Converters of ``entity``'s key columns (a key may include a Single: follow it)."""
    emap = db.mapping[entity]
    table = db.schema()["tables"][emap.table]
    to_db: list[Any] = []
    from_db: list[Any] = []
    for name in emap.pk_attrs:
        attr = entity._attrs_[name]
        if attr.kind == "single":
            more_to, more_from = _key_converters(db, attr.py_type)
        else:
            column = table["columns"][emap.columns[name][0]]
            to, frm = converters(attr.py_type, logical_type(attr.py_type), column, db.dialect.name)
            more_to, more_from = [to], [frm]
        to_db += more_to
        from_db += more_from
    return to_db, from_db


def insert_sql(info: EntityInfo, attr_names: tuple[str, ...]) -> str:
    """Return (cached) the INSERT for the given attributes; PostgreSQL returns the auto key."""
    sql = info._insert_sql.get(attr_names)
    if sql is None:
        cols = [q for name in attr_names for q in info.attrs[name].quoted]
        marks = ", ".join("?" * len(cols))
        if cols:
            sql = f"INSERT INTO {info.table} ({', '.join(cols)}) VALUES ({marks})"
        elif info.mysql:
            sql = f"INSERT INTO {info.table} () VALUES ()"
        else:
            sql = f"INSERT INTO {info.table} DEFAULT VALUES"
        if info.returning and info.auto_pk:
            sql += f" RETURNING {info.attrs[info.auto_pk].quoted[0]}"
        info._insert_sql[attr_names] = sql
    return sql
