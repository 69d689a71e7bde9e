"""How one entity's rows are laid out on one database, and what the runtime precomputes for it.

``EntityInfo`` is built once per (database, entity) from the mapping (``db.mapping``), the
schema dict and the dialect, and kept in a cache keyed by the database: the quoted table and
column names, the converters of every column (``convert.py``), the primary key, the read and
insert plans (``rows.py``), the creation plan (``values.py``) and the entity's statements
(``sql.py``).  The session and the queries use it so the per-row work is a few list
operations.

Values of a ``Single`` attribute are kept as the related object, or as its *key* until loaded:
the key of an entity is its primary-key value (a tuple when the key has several attributes).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..convert import Converter, converters
from ..entity import logical_type
from ..errors import NotBoundError
from ..inheritance import discriminator_column, hierarchy, root_of, uses_discriminator
from .materialize import plain_setattr
from .rows import InsertPlan, ReadPlan
from .sql import EntityStatements
from .values import CreationPlan

if TYPE_CHECKING:
    from ..database import Database
    from ..dialects.base import Dialect
    from ..entity import Entity
    from ..fields import Attr
    from ..mapping import EntityMap, Relation

_CACHE: weakref.WeakKeyDictionary[Database, dict[type, EntityInfo]] = weakref.WeakKeyDictionary()


@dataclass
class AttrInfo:
    """One attribute stored in the entity's table (PK, Req, Opt or Single)."""

    name: str
    kind: str
    columns: list[str]
    quoted: list[str]
    to_db: list[Converter]
    from_db: list[Converter]
    required: bool
    empty_str: bool  # Opt[str] stored NOT NULL: '' stands for "no value"
    sql_default: Any = None
    target: type[Entity] | None = None  # Single: the related entity


@dataclass
class EntityInfo:
    """Everything the runtime needs to read and write one entity's rows on one database."""

    entity: type[Entity]
    table: str  # quoted
    attrs: dict[str, AttrInfo]  # the stored attributes, in column order
    pk_attrs: list[str]
    auto_pk: str | None
    relations: dict[str, Relation]
    statements: EntityStatements
    read_plan: ReadPlan
    insert_plan: InsertPlan
    creation_plan: CreationPlan
    #: ``(entity, attribute, on_delete)`` of every Single pointing here; see ``referrers``.
    referrers: list[tuple[type[Entity], str, str]] | None = field(default=None, repr=False)
    #: Single-table inheritance: the class of each discriminator value this entity's rows may
    #: have (empty without a discriminator), and the condition that keeps a subclass's rows.
    classes: dict[str, type[Entity]] = field(default_factory=dict)
    sti_filter: str | None = None
    #: No class of its rows defines ``__setattr__``: a loaded object's state is set as
    #: attributes (``materialize.plain_setattr``).
    state_as_attributes: bool = True

    def class_of(self, values: dict[str, Any]) -> type[Entity]:
        """The class of a row read with ``values`` (by its discriminator, else the entity)."""
        if not self.classes:
            return self.entity
        return self.classes.get(str(values.get(DISCRIMINATOR)), self.entity)

    def key_of_row(self, values: dict[str, Any]) -> Any:
        """Return the identity key from an object's attribute values."""
        if len(self.pk_attrs) == 1:
            return _key(values.get(self.pk_attrs[0]))
        return tuple(_key(values.get(name)) for name in self.pk_attrs)


class IdentityMap(dict[Any, Any]):
    """The session's objects by entity, then key; the classes of one hierarchy (single-table
    inheritance) share one map, so ``Person[1]`` and ``Student[1]`` are the same object."""

    def __getitem__(self, entity: Any) -> Any:
        return super().__getitem__(root_of(entity))

    def __setitem__(self, entity: Any, objects: Any) -> None:
        super().__setitem__(root_of(entity), objects)

    def __contains__(self, entity: object) -> bool:
        return super().__contains__(root_of(entity))

    def get(self, entity: Any, default: Any = None) -> Any:
        return super().get(root_of(entity), default)

    def setdefault(self, entity: Any, default: Any = None) -> Any:
        return super().setdefault(root_of(entity), default)

    def pop(self, entity: Any, *default: Any) -> Any:
        return super().pop(root_of(entity), *default)


def _key(value: Any) -> Any:
    """The key of a value: an entity's own key, or the value itself."""
    if getattr(value, "_vals_", None) is not None:
        return value._key_()
    return value


def entity_info(db: Database, entity: type[Entity]) -> EntityInfo:
    """Return the cached EntityInfo of ``entity`` on ``db`` (which must be mapped)."""
    per_db = _CACHE.get(db)
    if per_db is None:
        per_db = _CACHE[db] = {}
    info = per_db.get(entity)
    if info is None:
        info = per_db[entity] = _build(db, entity)
    return info


def referrers(db: Database, info: EntityInfo) -> list[tuple[type[Entity], str, str]]:
    """Return ``(entity, attribute, on_delete)`` for every Single that references ``info``.

    Found on first use (a delete), not at build time: it scans every mapped entity.
    """
    if info.referrers is None:
        found = []
        for entity, emap in _mapping(db).items():
            table = db.schema_dict()["tables"][emap.table]
            for attr in entity._attrs_.values():
                if attr.kind == "single" and attr.py_type is info.entity and attr.stored:
                    cols = emap.columns[attr.name]
                    on_delete = next((fk["on_delete"] for fk in table["foreign_keys"].values()
                                      if fk["columns"] == cols), "CASCADE")
                    found.append((entity, attr.name, on_delete))
        info.referrers = found
    return info.referrers


def bound_dialect(db: Database) -> Dialect:
    """Return the dialect of a bound database."""
    if db.dialect is None:
        raise NotBoundError("database is not bound: call db.bind(provider, ...) first")
    return db.dialect


def _mapping(db: Database) -> dict[type[Entity], EntityMap]:
    if db.mapping is None:
        raise NotBoundError("entities are not mapped: call db.generate_mapping() first")
    return db.mapping


def _build(db: Database, entity: type[Entity]) -> EntityInfo:
    emap = _mapping(db)[entity]
    table = db.schema_dict()["tables"][emap.table]
    dialect = bound_dialect(db)
    attrs = {attr.name: _attr_info(db, dialect, attr, emap.columns[attr.name], table)
             for attr in entity._attrs_.values() if attr.is_column}
    autos = [name for name, a in attrs.items() if table["columns"][a.columns[0]].get("auto")]
    auto_pk = autos[-1] if autos else None
    quoted_table = dialect.quote(emap.table)
    classes, sti_filter = _inheritance(db, dialect, entity, table, attrs)
    statements = EntityStatements(dialect, quoted_table, attrs, emap.pk_attrs, auto_pk)
    eager = [a for a in attrs.values() if not _attr_option(entity, a.name, "lazy")]
    # A row may be a subclass's: its columns are read too, for the object it becomes.
    eager += _subclass_columns(db, dialect, entity, classes, table, attrs)
    # Lazy columns are read on first access, subclass columns with the row: the SELECT lists
    # exactly the read plan's columns (compared by name: as many lazy columns left out as
    # subclass columns added keep the count).
    if [a.name for a in eager] != list(attrs) or sti_filter:
        statements.all_columns = ", ".join(f"t0.{q}" for a in eager for q in a.quoted)
        statements.select_by_key = _key_select(statements, quoted_table, sti_filter)
    return EntityInfo(
        entity=entity, table=quoted_table, attrs=attrs, pk_attrs=emap.pk_attrs,
        auto_pk=auto_pk, relations=emap.relations, statements=statements,
        read_plan=ReadPlan(eager),
        insert_plan=InsertPlan(entity.__name__, attrs, auto_pk, _json_attrs(entity)),
        creation_plan=CreationPlan(entity, entity._discriminator_ if classes else None),
        classes=classes, sti_filter=sti_filter,
        state_as_attributes=plain_setattr(entity, *classes.values()),
    )


#: The name of a row's discriminator value among an object's values (single-table
#: inheritance): not an attribute, a column the ORM writes on create and reads to pick the class.
DISCRIMINATOR = "_discriminator_"


def _inheritance(db: Database, dialect: Dialect, entity: type[Entity], table: dict[str, Any],
                 attrs: dict[str, AttrInfo]) -> tuple[dict[str, type[Entity]], str | None]:
    """Add the discriminator column to ``attrs``; return the classes by discriminator value and
    the filter of a subclass's rows (its value and its subclasses')."""
    root = root_of(entity)
    column = discriminator_column(root)
    if not uses_discriminator(root, list(_mapping(db))):
        return {}, None
    # Kind "pk": written once, on create, and never compared or changed afterwards.
    attrs[DISCRIMINATOR] = AttrInfo(
        name=DISCRIMINATOR, kind="pk", columns=[column], quoted=[dialect.quote(column)],
        to_db=[None], from_db=[None], required=True, empty_str=False)
    classes = {e._discriminator_: e for e in hierarchy(entity, list(_mapping(db)))}
    if entity is root:
        return classes, None
    values = ", ".join(dialect.string_literal(v) for v in classes)
    return classes, f"t0.{dialect.quote(column)} IN ({values})"


def _subclass_columns(db: Database, dialect: Dialect, entity: type[Entity],
                      classes: dict[str, type[Entity]], table: dict[str, Any],
                      attrs: dict[str, AttrInfo]) -> list[AttrInfo]:
    """The stored attributes the subclasses of ``entity`` add (read with its rows)."""
    found: dict[str, AttrInfo] = {}
    for sub in classes.values():
        columns = _mapping(db)[sub].columns
        for attr in sub._attrs_.values():
            if attr.is_column and attr.name not in attrs and attr.name not in found \
                    and not attr.opt("lazy"):
                found[attr.name] = _attr_info(db, dialect, attr, columns[attr.name], table)
    return list(found.values())


def _json_attrs(entity: type[Entity]) -> frozenset[str]:
    return frozenset(name for name, attr in entity._attrs_.items()
                     if attr.is_column and logical_type(attr.py_type) == "json")


def _attr_option(entity: type[Entity], name: str, option: str) -> Any:
    attr = entity._attrs_.get(name)
    return attr.opt(option) if attr is not None else None


def _key_select(statements: EntityStatements, table: str, sti_filter: str | None) -> str:
    where = " AND ".join(f"t0.{q} = ?" for q in statements.key_quoted)
    if sti_filter:
        where += f" AND {sti_filter}"
    return f"SELECT {statements.all_columns} FROM {table} t0 WHERE {where}"


def _attr_info(db: Database, dialect: Dialect, attr: Attr, cols: list[str],
               table: dict[str, Any]) -> AttrInfo:
    col_defs = [table["columns"][c] for c in cols]
    if attr.kind == "single":
        to_db, from_db = _key_converters(db, attr.py_type)
    else:
        to, frm = _converters(attr, col_defs[0], dialect)
        to_db, from_db = [to], [frm]
    nullable = all(c.get("nullable", False) for c in col_defs)
    if attr.entity._sti_root_ is not None:  # a subclass's column is nullable in the shared
        nullable = attr.kind == "opt" or bool(attr.opt("nullable"))  # table, not for it
    return AttrInfo(
        name=attr.name, kind=attr.kind, columns=cols,
        quoted=[dialect.quote(c) for c in cols], to_db=to_db, from_db=from_db,
        required=not nullable and not col_defs[0].get("auto") and attr.kind != "opt"
        and attr.opt("sql_default") is None,
        empty_str=bool(col_defs[0].get("empty_default")),
        sql_default=attr.opt("sql_default"),
        target=attr.py_type if attr.kind == "single" else None,
    )


def _converters(attr: Attr, column: dict[str, Any], dialect: Dialect
                ) -> tuple[Converter, Converter]:
    """``(to_db, from_db)`` of a column attribute (its type was checked at declaration)."""
    return converters(attr.py_type, logical_type(attr.py_type) or "", column, dialect.value_forms)


def _key_converters(db: Database, entity: type[Entity]) -> tuple[list[Converter],
                                                                  list[Converter]]:
    """Converters of ``entity``'s key columns (a key may include a Single: follow it)."""
    emap = _mapping(db)[entity]
    table = db.schema_dict()["tables"][emap.table]
    to_db: list[Converter] = []
    from_db: list[Converter] = []
    for name in emap.pk_attrs:
        attr = entity._attrs_[name]
        if attr.kind == "single":
            more_to, more_from = _key_converters(db, attr.py_type)
        else:
            column = table["columns"][emap.columns[name][0]]
            to, frm = _converters(attr, column, bound_dialect(db))
            more_to, more_from = [to], [frm]
        to_db += more_to
        from_db += more_from
    return to_db, from_db
