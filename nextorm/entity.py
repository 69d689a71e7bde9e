"""Entity base class and its metaclass: annotations become attribute specs.

The metaclass only collects declarations; it needs no connection.  Relations are resolved
later, by :func:`nextorm.mapping.resolve` (called from ``Database.generate_mapping``), because
a forward reference such as ``Set["Post"]`` names a class that may not exist yet.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, ClassVar, cast

from .annotations import AnnotationScope
from .attributes import install as install_descriptors
from .declarations import check_attr, is_plain, logical_type, normalise
from .errors import DeclarationError, ValidationError
from .fields import ALLOWED_OPTIONS, Attr, Composite, Marker
from .inheritance import declared_column, discriminator_of, entity_parent, inherit

__all__ = ["DECLARED_ENTITIES", "Entity", "EntityIterator", "EntityMeta", "logical_type"]

#: Every class declared with ``class X(Entity)``, in declaration order.
DECLARED_ENTITIES: list[type[Entity]] = []


class EntityMeta(type):
    """Collect annotated attributes into ``_attrs_`` and composites into ``_composites_``."""

    def __new__(mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kw: Any):
        created = super().__new__(mcs, name, bases, ns, **kw)
        if not any(isinstance(b, EntityMeta) for b in bases):
            return created  # the Entity base class itself
        cls = cast("type[Entity]", created)
        # The class body's globals: right even for a module imported by path that is not
        # registered in sys.modules (as migration files and test projects are).
        module_globals = sys._getframe(1).f_globals
        parent = entity_parent(name, bases)
        own = _collect_attrs(cls, ns, module_globals)
        cls._discriminator_ = discriminator_of(name, ns)
        if parent is None:
            cls._attrs_ = own
            cls._table_name_ = _table_name(name, ns)
            cls._discriminator_col_ = declared_column(name, ns)
        else:  # single-table inheritance (inheritance.py)
            inherit(cls, parent, own, ns)
        cls._composites_ = (parent._composites_ if parent else []) + _collect_composites(cls, ns)
        cls._renamed_from_ = _renamed_from(name, ns.get("_renamed_from_"))
        if parent is None:
            _add_default_pk(cls)
        for attr in cls._attrs_.values():
            if attr.entity is None:  # inherited attributes keep their declaring class
                attr.entity = cls
        install_descriptors(cls)
        DECLARED_ENTITIES.append(cls)
        return cls

    def __iter__(cls) -> EntityIterator:
        """``for u in User`` inside ``select(...)``: a placeholder the query reads, no rows."""
        return EntityIterator(cls)


class EntityIterator:
    """What ``iter(User)`` gives: ``select(u for u in User)`` translates the generator to SQL
    (``orm/decompile.py``); consuming it outside a query is an error, never a table scan."""

    __slots__ = ("entity",)

    def __init__(self, entity: type) -> None:
        self.entity = entity

    def __iter__(self) -> EntityIterator:
        return self

    def __next__(self) -> Any:
        raise TypeError(f"{self.entity.__name__} is iterated outside a query: use "
                        f"select(x for x in {self.entity.__name__} ...) from nextorm, "
                        f"or {self.entity.__name__}.select()")


def _table_name(name: str, ns: dict[str, Any]) -> str:
    """``_table_name_`` or 0.5.1's ``_table_`` (both the same if both are given)."""
    if ns.get("_table_name_") is None and ns.get("_table_") is None and name:
        return name.lower()  # neither given (most entities)
    given = {key: ns[key] for key in ("_table_name_", "_table_") if ns.get(key) is not None}
    if len(set(map(repr, given.values()))) > 1:
        raise DeclarationError(f"{name}: _table_name_ = {given['_table_name_']!r} and _table_ = "
                               f"{given['_table_']!r} differ; give one of them")
    table = next(iter(given.values()), name.lower())
    if not isinstance(table, str) or not table:
        raise DeclarationError(f"{name}._table_name_ must be a non-empty string")
    return table


def _renamed_from(name: str, value: Any) -> str | None:
    """Check ``_renamed_from_``: the table's previous name, a rename hint for makemigrations."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise DeclarationError(
            f"{name}._renamed_from_ must be the table's previous name (a non-empty string)")
    return value


def _collect_attrs(cls: type[Entity], ns: dict[str, Any], module_globals: dict) -> dict[str, Attr]:
    annotations = ns.get("__annotations__", {})
    attrs: dict[str, Attr] = {}
    scope = AnnotationScope(cls, module_globals, ns)
    taken = Entity.__dict__
    for attr_name, annotation in annotations.items():
        # The annotation's Attr may be shared (``Req[str]``): each path below makes a new one.
        found: Attr | None = annotation  # already evaluated (no postponed annotations)
        if annotation.__class__ is not Attr or attr_name[:1] == "_":
            found = _evaluate(scope, attr_name, annotation)
        if found is None:
            continue  # a plain annotation (ClassVar, helper type): not an entity attribute
        if attr_name in taken:
            # ``delete: Req[bool]`` would silently hide Entity.delete() for every row.
            raise DeclarationError(
                f"{cls.__name__}.{attr_name}: the name is taken by Entity.{attr_name}(); "
                f"name the attribute differently and pass column={attr_name!r}"
            )
        value = ns.get(attr_name)
        if value is None:
            spec = Attr(found.kind, found.py_type, dict(found.options) if found.options else {},
                        attr_name, cls, True, found.conflicts)
        else:
            spec = _with_value(cls, attr_name, found, value)
            spec.name = attr_name
        if not is_plain(spec):  # a bare ``c: Req[int]`` needs no rewriting and no check
            spec = normalise(_entity_valued(spec, cls.__name__))
            if spec.is_relation and not isinstance(spec.py_type, (str, EntityMeta)):
                shown = getattr(spec.py_type, "__name__", spec.py_type)
                raise DeclarationError(
                    f"{cls.__name__}.{attr_name}: {spec.kind.capitalize()}[{shown}] needs an "
                    f"entity class, not {shown!r}")
            check_attr(cls.__name__, spec)
        attrs[attr_name] = spec
    return attrs


def _evaluate(scope: AnnotationScope, attr_name: str, annotation: Any) -> Attr | None:
    """The declared attribute, or None; an underscore name is one only as a ``Local``."""
    if attr_name[:1] != "_":
        return scope.evaluate(attr_name, annotation)
    try:  # ``_cache: Local[dict]`` (0.5.1's style); other underscore names are the user's
        found = scope.evaluate(attr_name, annotation)
    except DeclarationError:
        return None
    return found if found is not None and found.kind == "local" else None


def _with_value(cls: type[Entity], attr_name: str, found: Attr, value: Any) -> Attr:
    """The attribute declared by an annotation and a value in the class body (removed from
    the class): options (``= Req(max_len=80)``) or a default (``= 0``)."""
    if isinstance(value, Marker):
        value = value()
    if isinstance(value, Attr):
        if value.kind != found.kind:
            raise DeclarationError(
                f"{cls.__name__}.{attr_name}: annotated as {found.kind.capitalize()} "
                f"but assigned {value.kind.capitalize()}(...)"
            )
        delattr(cls, attr_name)
        return found.merged_with(value)
    delattr(cls, attr_name)
    if found.kind in ("req", "opt", "local"):
        return found(default=value)
    return Attr(found.kind, found.py_type, dict(found.options), conflicts=found.conflicts)


def _entity_valued(attr: Attr, owner: str) -> Attr:
    """``PK[User]``, ``Req[User]`` and ``Opt[User]`` are relations: a Single to ``User``."""
    target = attr.py_type
    if attr.kind not in ("pk", "req", "opt") or not (
            isinstance(target, EntityMeta) or isinstance(target, str)):
        return attr
    options = {k: v for k, v in attr.options.items() if k != "auto" or v}
    scalar_only = set(options) - ALLOWED_OPTIONS["single"]
    if isinstance(target, str) and scalar_only:
        raise DeclarationError(
            f"{owner}.{attr.name}: cannot resolve the type {target!r} (with "
            f"{', '.join(sorted(scalar_only))}=); annotations are evaluated in the module's "
            f"globals: import it at module level")
    if attr.kind == "pk":
        options["primary_key"] = True
    elif attr.kind == "opt":
        options.setdefault("nullable", True)
    single = Attr("single", target, options, attr.name, conflicts=attr.conflicts)
    return single


def _collect_composites(cls: type[Entity], ns: dict[str, Any]) -> list[Composite]:
    if "__nextorm_composites__" not in ns and not any(
            isinstance(value, Composite) for value in ns.values()):
        return []  # none declared (most entities)
    found: list[Composite] = []
    for value in list(ns.get("__nextorm_composites__", [])) + list(ns.values()):
        if isinstance(value, Composite) and value not in found:
            found.append(value)
    for key, value in list(ns.items()):
        if isinstance(value, Composite) or key == "__nextorm_composites__":
            delattr(cls, key)
    attrs = cls._attrs_
    for comp in found:
        for attr_name in comp.attrs:
            if attr_name not in attrs:
                raise DeclarationError(
                    f"{cls.__name__}: composite {comp.kind.replace('_', ' ')} "
                    f"names missing attribute {attr_name!r}"
                )
            if not attrs[attr_name].is_column:
                raise DeclarationError(
                    f"{cls.__name__}: composite {comp.kind.replace('_', ' ')} attribute "
                    f"{attr_name!r} is not stored in the table"
                )
    return found


def _add_default_pk(cls: type[Entity]) -> None:
    attrs: dict[str, Attr] = cls._attrs_
    has_pk = any(a.in_primary_key for a in attrs.values())
    has_composite_pk = any(c.kind == "primary_key" for c in cls._composites_)
    if has_pk and has_composite_pk:
        raise DeclarationError(f"{cls.__name__}: declare either PK attributes or PrimaryKey(...)")
    if not has_pk and not has_composite_pk:
        if "id" in attrs:
            raise DeclarationError(
                f"{cls.__name__}.id: an attribute named 'id' must be declared as PK[...]"
            )
        pk = Attr("pk", int)
        pk.name = "id"
        cls._attrs_ = {"id": pk, **attrs}


class Entity(metaclass=EntityMeta):
    """Base class of every entity.  Subclass it and annotate attributes with the markers."""

    _attrs_: ClassVar[dict[str, Attr]]
    _composites_: ClassVar[list[Composite]]
    _table_name_: ClassVar[str]
    _renamed_from_: ClassVar[str | None]
    _pk_names_: ClassVar[list[str]]
    #: Single-table inheritance (``inheritance.py``): the parent and root entity (None for a
    #: root), this class's discriminator value and the root's own discriminator column name.
    _sti_parent_: ClassVar[type[Entity] | None] = None
    _sti_root_: ClassVar[type[Entity] | None] = None
    _discriminator_: ClassVar[str]
    _discriminator_col_: ClassVar[str | None] = None
    #: The object's stored values by attribute name (set when it is created or loaded).
    _vals_: dict[str, Any]

    # -- the ORM runtime (nextorm/session.py, nextorm/query.py, imported on first use) -----

    def __init__(self, **values: Any) -> None:
        """Create a new object in the active db_session; it is INSERTed at flush/commit."""
        (_create or _runtime_create())(self, values)

    def __class_getitem__(cls, key: Any) -> Any:
        """``User[1]``: the object with that primary key; ObjectNotFound if there is none."""
        from .session import current_session

        key = _key_arg(key)
        names = _pk_names(cls)
        parts = (key,) if len(names) == 1 else key
        if not isinstance(parts, tuple) or len(parts) != len(names):
            raise ValidationError(f"{cls.__name__}[...] takes {len(names)} key value(s): "
                                   f"{', '.join(names)}")
        for name, part in zip(names, parts, strict=True):
            descriptor = cls.__dict__.get(name)
            if descriptor is not None and hasattr(descriptor, "checker") \
                    and cls._attrs_[name].kind != "single":
                descriptor.checker()(part)  # a wrong type is a clear error, not a server one
        return current_session().load(cls, key)

    @classmethod
    def get(cls, *conditions: Any, **values: Any) -> Any:
        """The one object matching (``lambda u: ...``, conditions, ``name=value``), or None."""
        return cls.select().filter(*conditions, **values).get()

    @classmethod
    def select_by_sql(cls, *sql_and_params: Any) -> list[Any]:
        """The objects your SELECT returns: ``(sql, params)`` or 0.5.1's ``(db, sql, params)``."""
        from .orm.instance import by_sql

        return by_sql(cls, sql_and_params)

    @classmethod
    def get_by_sql(cls, *sql_and_params: Any) -> Any:
        """The first object of ``select_by_sql(...)``, or None."""
        found = cls.select_by_sql(*sql_and_params)
        return found[0] if found else None

    @classmethod
    def select(cls, *conditions: Any, **values: Any) -> Any:
        """A query of this entity, optionally filtered (see ``nextorm/query.py``)."""
        from .query import Query

        return Query(cls).filter(*conditions, **values)

    @classmethod
    def exists(cls, *conditions: Any, **values: Any) -> bool:
        """True if an object matches."""
        return cls.select(*conditions, **values).exists()

    def set(self, **values: Any) -> None:
        """Assign several attributes at once."""
        for name in values:
            if name not in self._attrs_:
                raise ValidationError(f"{type(self).__name__} has no attribute {name!r}")
        for name, value in values.items():
            setattr(self, name, value)

    def delete(self) -> None:
        """Delete the object's row now (pending changes are flushed first); its key becomes
        None, as in nextorm 0.5.1, since it names no row any more."""
        from .attributes import session_of
        from .orm.saving import delete_object

        delete_object(session_of(self), self)  # type: ignore[arg-type]

    def flush(self) -> None:
        """Write this object's pending change now (the session's other changes go too)."""
        from .orm.saving import flush_object

        flush_object(self)  # type: ignore[arg-type]

    def commit(self) -> None:
        """Flush, then commit the transaction of the object's session (nextorm 0.5.1)."""
        from .orm.saving import commit_object

        commit_object(self)  # type: ignore[arg-type]

    @classmethod
    def drop_table(cls, *, with_all_data: bool = False) -> None:
        """Drop the entity's table; refused while it holds rows unless ``with_all_data``."""
        from .orm.saving import drop_entity_table

        drop_entity_table(cls, with_all_data)

    def _key_(self) -> Any:
        """The primary-key value (a tuple for a composite key)."""
        names = _pk_names(type(self))
        vals = self._vals_
        if len(names) == 1:
            value = vals.get(names[0])
            return value._key_() if isinstance(value, Entity) else value
        return tuple(v._key_() if isinstance(v, Entity) else v
                     for v in (vals.get(n) for n in names))

    def get_pk(self) -> Any:
        """The primary-key value (a tuple for a composite key)."""
        return self._key_()

    def to_dict(self, only: Any = None, exclude: Any = None, *, with_collections: bool = False,
                with_lazy: bool = False, related_objects: bool = False) -> dict[str, Any]:
        """The stored attribute values (a Single gives the related key); see orm/instance.py."""
        from .orm.instance import to_dict

        return to_dict(self, only, exclude, with_collections, related_objects)

    def __repr__(self) -> str:
        vals = self.__dict__.get("_vals_")
        if vals is None:
            return f"<{type(self).__name__}>"
        key = self._key_()
        if key is None or (isinstance(key, tuple) and None in key):
            return f"{type(self).__name__}[new:{id(self):x}]"
        return f"{type(self).__name__}[{key!r}]"


#: ``orm/create.py``'s ``create``, which every ``Entity(...)`` calls: imported on first use
#: (declaring entities loads no runtime) and kept here, as an import statement in
#: ``__init__`` would cost ~1 us per object.
_create: Callable[..., None] | None = None


def _runtime_create() -> Callable[..., None]:
    global _create
    from .orm.create import create

    _create = create
    return create


def _pk_names(cls: type[Entity]) -> list[str]:
    names = cls.__dict__.get("_pk_names_")
    if names is None:
        names = [a.name for a in cls._attrs_.values() if a.in_primary_key]
        names += [n for c in cls._composites_ if c.kind == "primary_key" for n in c.attrs]
        cls._pk_names_ = names
    return names


def _key_arg(key: Any) -> Any:
    """Accept objects inside a composite key: ``Enrollment[student, course]``."""
    if isinstance(key, tuple):
        return tuple(k._key_() if isinstance(k, Entity) else k for k in key)
    return key._key_() if isinstance(key, Entity) else key
