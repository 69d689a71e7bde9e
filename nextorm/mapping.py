"""Resolve declared entities into a mapping: tables, columns and relations.

This is where forward references are looked up, each ``Set`` finds its counterpart, and
many-to-many join tables are named.  Both the schema builder (``schema/model.py``) and the ORM
runtime read the result; neither needs a connection to build it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from .errors import DeclarationError, MappingError
from .fields import Attr
from .one_to_one import one_to_one_pairs
from .records import Record

if TYPE_CHECKING:
    from .entity import Entity

#: An entity class (a subclass of ``Entity``).
EntityClass = type["Entity"]


class Relation(Record):
    """How a ``Single`` or ``Set`` attribute is stored.

    ``many_to_one``: ``columns`` in the owner's table reference ``target``'s primary key.
    ``one_to_many``: the counterpart ``reverse`` (a Single on ``target``) holds the columns.
    ``many_to_many``: rows of ``join_table``; ``join_columns`` reference the owner,
    ``join_target_columns`` reference ``target``.
    """

    __slots__ = ("attr", "kind", "target", "reverse", "columns", "join_table", "join_columns",
                 "join_target_columns")
    __hash__ = None  # type: ignore[assignment]  # completed while the entities are resolved

    def __init__(self, attr: Attr, kind: str, target: EntityClass, reverse: Attr | None = None,
                 columns: list[str] | None = None, join_table: str | None = None,
                 join_columns: list[str] | None = None,
                 join_target_columns: list[str] | None = None) -> None:
        self.attr = attr
        self.kind = kind
        self.target = target
        self.reverse = reverse
        self.columns: list[str] = [] if columns is None else columns
        self.join_table = join_table
        self.join_columns: list[str] = [] if join_columns is None else join_columns
        self.join_target_columns: list[str] = (
            [] if join_target_columns is None else join_target_columns)


class EntityMap(Record):
    """The resolved storage of one entity."""

    __slots__ = ("entity", "table", "pk_attrs", "columns", "relations")
    __hash__ = None  # type: ignore[assignment]  # filled in while the entities are resolved

    def __init__(self, entity: EntityClass, table: str, pk_attrs: list[str],
                 columns: dict[str, list[str]] | None = None,
                 relations: dict[str, Relation] | None = None) -> None:
        self.entity = entity
        self.table = table
        self.pk_attrs = pk_attrs
        self.columns: dict[str, list[str]] = {} if columns is None else columns  # attr -> cols
        self.relations: dict[str, Relation] = {} if relations is None else relations

    @property
    def pk_columns(self) -> list[str]:
        return [col for name in self.pk_attrs for col in self.columns[name]]


def resolve(entities: list[EntityClass], validate_relations: bool = True
            ) -> dict[EntityClass, EntityMap]:
    """Resolve every entity's columns and relations; raise naming the class and attribute.

    ``validate_relations=False`` (nextorm 0.5.1's ``generate_mapping`` option) leaves a ``Set``
    without counterpart unmapped (using it is an error then) and lets an ambiguous ``Set``
    take its first candidate, with a warning, instead of refusing the mapping.

    Every command of a project maps its entities, so each pass below walks only the attributes
    it needs (the relations of each entity are listed once) and membership tests use sets.
    """
    check_entities(entities, "Database")
    by_name = {e.__name__: e for e in entities}
    registered = set(entities)
    _check_table_names(entities, registered)
    relations_of: dict[EntityClass, list[Attr]] = {}
    maps: dict[EntityClass, EntityMap] = {}
    for entity in entities:  # one walk of each entity's attributes
        relations: list[Attr] = []
        pk_attrs: list[str] = []
        # Columns of plain attributes first: a Single's columns depend on its target's PK.
        columns: dict[str, list[str]] = {}
        for attr in entity._attrs_.values():
            kind = attr.kind
            if kind == "single" or kind == "set":
                relations.append(attr)
                attr.py_type = _resolve_target(entity, attr, by_name, registered)
                attr.stored = True
            elif kind != "local":  # pk, req, opt: stored in a column of their own
                columns[attr.name] = [attr.options.get("column") or attr.name]
            if attr.in_primary_key:
                pk_attrs.append(attr.name)
        pk_attrs += [n for c in entity._composites_ if c.kind == "primary_key" for n in c.attrs]
        relations_of[entity] = relations
        maps[entity] = EntityMap(entity, entity._table_name_, pk_attrs, columns)
    pairs = one_to_one_pairs(entities)
    # Key columns first, in dependency order: any Single may point at an entity whose own
    # primary key holds a Single, whose columns must be known before they can be referenced.
    ordered = _in_pk_dependency_order(maps)
    for entity, emap in ordered:
        for attr in relations_of[entity]:
            if attr.kind == "single" and attr.name in emap.pk_attrs:
                emap.columns[attr.name] = _single_columns(attr, maps)
    for entity, emap in ordered:
        for attr in relations_of[entity]:
            if attr.kind == "single" and attr.stored:
                emap.columns[attr.name] = emap.columns.get(attr.name) or _single_columns(attr, maps)
                pair = pairs.get(id(attr))
                emap.relations[attr.name] = Relation(
                    attr, "one_to_one" if pair else "many_to_one", attr.py_type,
                    reverse=pair[1] if pair else None, columns=emap.columns[attr.name]
                )
    for owner, other in pairs.values():  # the side without a column reads the owner's
        maps[other.entity].relations[other.name] = Relation(
            other, "one_to_one_reverse", owner.entity, reverse=owner,
            columns=maps[owner.entity].columns[owner.name])
    for entity, emap in maps.items():
        for attr in relations_of[entity]:
            if attr.kind == "set" and attr.entity is entity:
                rel = _resolve_set(entity, attr, maps, validate_relations)
                if rel is not None:
                    emap.relations[attr.name] = rel
    for entity, emap in maps.items():  # a subclass's inherited Sets are its parent's
        if entity._sti_parent_ is None:
            continue  # a root declares every attribute itself: nothing to inherit
        for attr in entity._attrs_.values():
            inherited = maps[attr.entity].relations.get(attr.name)
            if attr.is_relation and attr.name not in emap.relations and inherited is not None:
                emap.relations[attr.name] = inherited
    _link_single_reverses(maps)
    _check_duplicate_columns(maps)
    return maps


def check_entities(entities: object, where: str) -> None:
    """Refuse anything but entity classes (``db.register(object)``), naming it."""
    from .entity import Entity

    for entity in entities:  # type: ignore[attr-defined]
        if not (isinstance(entity, type) and issubclass(entity, Entity) and entity is not Entity):
            shown = getattr(entity, "__name__", repr(entity))
            raise MappingError(f"{where}: {shown} is not an entity class; declare it as "
                               f"'class {shown}(Entity)'")


def _check_table_names(entities: list[EntityClass], registered: set[EntityClass]) -> None:
    seen: dict[str, EntityClass] = {}
    for entity in entities:
        root = entity._sti_root_ or entity  # a subclass shares its root's table
        if root not in registered:
            raise MappingError(f"{entity.__name__} derives from {root.__name__}, which is not "
                               f"registered with this Database; register it too")
        other = seen.setdefault(entity._table_name_, root)
        if other is not root:
            raise MappingError(f"{entity.__name__} and {other.__name__} both use table "
                               f"{entity._table_name_!r}")


def _resolve_target(entity: EntityClass, attr: Attr, by_name: dict[str, EntityClass],
                    registered: set[EntityClass]) -> EntityClass:
    target = attr.py_type
    if isinstance(target, str) and target in by_name:
        return by_name[target]
    if isinstance(target, str) or target not in registered:
        shown = target if isinstance(target, str) else getattr(target, "__name__", target)
        raise MappingError(f"{entity.__name__}.{attr.name}: entity {shown!r} is not registered "
                           f"with this Database")
    return target


def _in_pk_dependency_order(maps: dict[EntityClass, EntityMap]) -> list[tuple[EntityClass, EntityMap]]:
    """Order entities so that one whose PK includes a Single comes after its target."""
    done: dict[EntityClass, None] = {}  # in order, and a quick membership test

    def visit(entity: EntityClass, path: tuple[EntityClass, ...]) -> None:
        if entity in done:
            return
        if entity in path:
            raise MappingError(f"{entity.__name__}: primary key refers to itself in a cycle")
        for name in maps[entity].pk_attrs:
            attr = entity._attrs_[name]
            if attr.kind == "single":
                visit(attr.py_type, (*path, entity))
        done[entity] = None

    for entity in maps:
        visit(entity, ())
    return [(e, maps[e]) for e in done]


def _single_columns(attr: Attr, maps: dict[EntityClass, EntityMap]) -> list[str]:
    target_map = maps[attr.py_type]
    pk_cols = target_map.pk_columns
    if not pk_cols:
        raise MappingError(f"{attr.entity.__name__}.{attr.name}: target has no primary key yet")
    given = attr.opt("column") or attr.opt("columns")
    if given is not None:
        given_cols = [given] if isinstance(given, str) else list(given)
        if len(given_cols) != len(pk_cols):
            raise DeclarationError(
                f"{attr.entity.__name__}.{attr.name}: column= names {len(given_cols)} column(s) "
                f"but {target_map.entity.__name__}'s primary key has {len(pk_cols)}")
        return given_cols
    return [f"{attr.name}_{col}" for col in pk_cols]


def _candidates(target: EntityClass, owner: EntityClass, kind: str) -> list[Attr]:
    return [a for a in target._attrs_.values()
            if a.kind == kind and a.py_type is owner and a.stored]


def _resolve_set(entity: EntityClass, attr: Attr, maps: dict[EntityClass, EntityMap],
                 validate: bool = True) -> Relation | None:
    target = attr.py_type
    where = f"{entity.__name__}.{attr.name}"
    reverse_name = attr.opt("reverse")
    if reverse_name is not None:
        reverse = target._attrs_.get(reverse_name)
        if reverse is None or reverse.kind not in ("single", "set") or reverse.py_type is not entity:
            raise MappingError(
                f"{where}: reverse={reverse_name!r} is not a Single or Set of "
                f"{entity.__name__} on {target.__name__}")
    else:
        options = [
            a for a in _candidates(target, entity, "single") + _candidates(target, entity, "set")
            if a is not attr and (a.opt("reverse") in (None, attr.name))
        ]
        explicit = [a for a in options if a.opt("reverse") == attr.name]
        options = explicit or options
        if not options:
            if not validate:
                return None  # unmapped: RelationSet says so when it is used
            raise MappingError(
                f"{where}: Set[{target.__name__}] has no counterpart; declare "
                f"Single[{entity.__name__}] or Set[{entity.__name__}] on {target.__name__}")
        if len(options) > 1:
            names = ", ".join(f"{target.__name__}.{a.name}" for a in options)
            message = f"{where}: ambiguous relation, candidates are {names}"
            if validate:
                raise MappingError(f"{message}; pass reverse='...' to choose one")
            warnings.warn(f"{message}; validate_relations=False: using "
                          f"{target.__name__}.{options[0].name}", stacklevel=4)
        reverse = options[0]
    if reverse.kind == "single":
        if _join_names(attr) is not None:
            raise MappingError(f"{where}: reverse_column= names a join-table column, but "
                               f"{target.__name__}.{reverse.name} is a Single (no join table)")
        return Relation(attr, "one_to_many", target, reverse=reverse,
                        columns=maps[target].columns[reverse.name])
    return _many_to_many(entity, attr, reverse, maps)


def _join_names(attr: Attr) -> list[str] | None:
    """The join-table columns a Set names for its own entity (``reverse_column(s)=``)."""
    given = attr.opt("reverse_column") or attr.opt("reverse_columns")
    return None if given is None else [given] if isinstance(given, str) else list(given)


def _named_join_columns(attr: Attr, emap: EntityMap, default: list[str]) -> list[str]:
    given = _join_names(attr)
    if given is None:
        return default
    if len(given) != len(emap.pk_columns):
        raise MappingError(
            f"{attr.entity.__name__}.{attr.name}: reverse_column(s)= names {len(given)} "
            f"column(s) but {emap.entity.__name__}'s primary key has {len(emap.pk_columns)}")
    return given


def _many_to_many(entity: EntityClass, attr: Attr, reverse: Attr, maps: dict[EntityClass, EntityMap]) -> Relation:
    own, other = maps[entity], maps[reverse.entity]
    table = attr.opt("table") or reverse.opt("table")
    if table is None:
        first, second = sorted([own.table, other.table])
        table = f"{first}_{second}"
    if own.table == other.table:
        # Self-referencing many-to-many: name each side after its attribute.
        own_cols = [f"{attr.name}_{c}" for c in own.pk_columns]
        other_cols = [f"{reverse.name}_{c}" for c in other.pk_columns]
    else:
        own_cols = [f"{own.table}_{c}" for c in own.pk_columns]
        other_cols = [f"{other.table}_{c}" for c in other.pk_columns]
    own_cols = _named_join_columns(attr, own, own_cols)
    other_cols = _named_join_columns(reverse, other, other_cols)
    if set(own_cols) & set(other_cols):
        raise MappingError(f"{entity.__name__}.{attr.name}: join table {table!r} would use "
                           f"column(s) {sorted(set(own_cols) & set(other_cols))} for both "
                           f"sides; pass reverse_column= to name them")
    return Relation(attr, "many_to_many", reverse.entity, reverse=reverse, join_table=table,
                    join_columns=own_cols, join_target_columns=other_cols)


def _link_single_reverses(maps: dict[EntityClass, EntityMap]) -> None:
    for emap in maps.values():
        for rel in emap.relations.values():
            if rel.kind == "one_to_many" and rel.reverse is not None:
                back = maps[rel.target].relations[rel.reverse.name]
                back.reverse = rel.attr


def _check_duplicate_columns(maps: dict[EntityClass, EntityMap]) -> None:
    for emap in maps.values():
        every = [col for cols in emap.columns.values() for col in cols]
        if len(set(every)) == len(every):
            continue  # no column twice (the usual case): no need to find which
        seen: dict[str, str] = {}
        for attr_name, cols in emap.columns.items():
            for col in cols:
                if col in seen:
                    raise MappingError(
                        f"{emap.entity.__name__}.{attr_name}: column {col!r} is also used by "
                        f"{emap.entity.__name__}.{seen[col]}")
                seen[col] = attr_name

