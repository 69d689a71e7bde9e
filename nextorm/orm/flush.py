"""The flush: write a session's pending changes, in dependency order, in batches.

``Session.flush()`` calls ``flush(session)``; it writes

1. the new objects: ``before_insert`` hooks first (what they assign is written), then the
   objects by dependency level (an object a new object refers to is written in an earlier
   level), each level in batches of one entity and column set (``batch.py``), then
   ``after_insert``;
2. the changed columns of changed objects: ``before_update``, batches of one entity, column
   set and optimistic check, ``after_update``;
3. the many-to-many links (``persist.write_link``).

Hooks may create or change more objects: the flush goes round until nothing is pending.

The optimistic check (nextorm 0.5.1's default, off with ``db_session(optimistic=False)``):
an UPDATE also compares each column it changes with the value the session read
(``WHERE key = ? AND col = <value read>``), so a row another transaction changed meanwhile is
refused with ``OptimisticCheckError`` instead of silently overwritten.  Not compared:
``volatile=True`` attributes, and float and JSON columns (a float read back may differ in its
last digit; JSON has no equality on every server).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..attributes import LOADED, NEW
from ..entity import logical_type
from ..errors import ValidationError
from . import hooks
from .batch import insert_batch, update_batch
from .materialize import PAUSE_GC_ROWS, collector_paused
from .persist import write_link
from .rows import key_columns, key_params

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from .layout import EntityInfo
    from .session import Session
    from .sql import Checks

#: Not compared by the optimistic check (see the module's docstring).
UNCHECKED_TYPES = frozenset({"float", "json", "vector"})
#: A value an object never loaded (nothing to compare).
UNREAD = object()


def flush(session: Session) -> None:
    """Write everything pending, in order, until nothing is (hooks may add more)."""
    while session.new or session.dirty or session.links:
        new, session.new = session.new, []
        insert_objects(session, [obj for obj in new if obj._status_ == NEW])
        _update_dirty(session)
        links, session.links = session.links, []
        for add, relation, owner, target in links:
            write_link(session, add, relation, owner, target)


# -- INSERT --------------------------------------------------------------------------------


def insert_objects(session: Session, objects: list[EntityObject]) -> None:
    """INSERT new objects and the new objects they refer to, referenced ones first."""
    levels = _by_dependency(session, objects)
    inserted = [obj for level in levels for obj in level]
    if any(hooks.hook(entity, "before_insert") for entity in {type(o) for o in inserted}):
        hooks.call("before_insert", inserted)
        seen = {id(obj) for obj in inserted}
        levels = _by_dependency(session, inserted)  # a hook may have set new related objects
        inserted = [obj for level in levels for obj in level]
        hooks.call("before_insert", [obj for obj in inserted if id(obj) not in seen])
    if len(inserted) < PAUSE_GC_ROWS:
        _insert_levels(session, levels)
    else:  # no user code runs in there: hooks are called before and after
        with collector_paused():
            _insert_levels(session, levels)
    hooks.call("after_insert", inserted)


def _insert_levels(session: Session, levels: list[list[EntityObject]]) -> None:
    """INSERT the objects level by level, in batches of one entity and column set."""
    for level in levels:
        by_entity: dict[type, list[EntityObject]] = {}
        for obj in level:
            if obj._status_ == NEW:  # else written meanwhile (a key_params insert from a hook)
                objs = by_entity.get(type(obj))
                if objs is None:
                    objs = by_entity[type(obj)] = []
                objs.append(obj)
        for entity, objs in by_entity.items():
            info = session.info(entity)
            for server_filled, (group_objs, rows) in info.insert_plan.groups(objs).items():
                keys = insert_batch(session, info, server_filled, rows)
                _inserted(session, info, group_objs, keys, server_filled)


def _by_dependency(session: Session, objects: list[EntityObject]) -> list[list[EntityObject]]:
    """The new objects (and those they refer to) by level: level 0 refers to no new object."""
    if not any(_single_names(session, entity) for entity in {type(obj) for obj in objects}):
        # No Single to follow (the common case): one level, each new object once, in order.
        new = list({id(obj): obj for obj in objects if obj._status_ == NEW}.values())
        return [new] if new else []
    level: dict[int, int] = {}
    found: list[EntityObject] = []
    singles: dict[type, list[str]] = {}

    def visit(obj: EntityObject, chain: tuple[int, ...]) -> int:
        entity = type(obj)
        depth = 0
        for name in singles[entity]:
            value: Any = obj._vals_.get(name)  # a related object or its key
            if getattr(value, "_status_", None) != NEW:
                continue
            below = level.get(id(value))
            if below is None:
                if id(value) in chain or value is obj:
                    raise ValidationError(f"{entity.__name__}.{name}: objects refer to each "
                                          f"other in a cycle; flush one of them first")
                if type(value) not in singles:
                    singles[type(value)] = _single_names(session, type(value))
                below = visit(value, (*chain, id(obj)))
            depth = max(depth, below + 1)
        level[id(obj)] = depth
        found.append(obj)
        return depth

    for obj in objects:
        entity = type(obj)
        names = singles.get(entity)
        if names is None:
            names = singles[entity] = _single_names(session, entity)
        if id(obj) in level or obj._status_ != NEW:
            continue
        if names:
            visit(obj, ())
        else:  # refers to no object: level 0 (the common case, without a call)
            level[id(obj)] = 0
            found.append(obj)
    levels: list[list[EntityObject]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    if len(levels) == 1:
        levels[0] = found
    else:
        for obj in found:
            levels[level[id(obj)]].append(obj)
    return levels


def _single_names(session: Session, entity: type) -> list[str]:
    return [a.name for a in session.info(entity).attrs.values() if a.kind == "single"]


def _inserted(session: Session, info: EntityInfo, objects: list[EntityObject],
              keys: list[Any] | None, server_filled: tuple[str, ...]) -> None:
    """Mark written objects loaded, with their new keys, in the identity map."""
    auto = info.auto_pk
    imap = session.identity.setdefault(info.entity, {})
    dirty = session.dirty
    defaulted = [name for name in server_filled if name != auto]
    as_attributes = info.creation_plan.as_attributes
    for i, obj in enumerate(objects):
        vals = obj._vals_
        if auto is not None and keys is not None and vals.get(auto) is None:
            vals[auto] = keys[i]
        if as_attributes:  # as create.py set them
            obj._status_ = LOADED
        else:
            obj.__dict__["_status_"] = LOADED
        if obj._dirty_ is not None:
            obj.__dict__["_dirty_"] = None
            dirty.pop(id(obj), None)
        key = vals[auto] if auto else info.key_of_row(vals)
        other = imap.get(key)
        if other is not None and other is not obj:
            raise ValidationError(f"{info.entity.__name__}[{key!r}] already exists in this "
                                  f"session")
        imap[key] = obj
        if defaulted:  # columns the server's DEFAULT filled: read them back
            session.refresh(obj, defaulted)


# -- UPDATE --------------------------------------------------------------------------------


def _update_dirty(session: Session) -> None:
    """UPDATE the changed objects in batches (``before_update`` may change more objects)."""
    changed: list[EntityObject] = []
    while session.dirty:
        dirty, session.dirty = session.dirty, {}
        more = []
        for obj in dirty.values():
            if obj._status_ == LOADED and obj._dirty_:
                more.append(obj)
            else:
                obj.__dict__["_dirty_"] = None
        hooks.call("before_update", more)
        changed += more
    if not changed:
        return
    optimistic = getattr(session, "optimistic", True)
    groups: dict[tuple[type, tuple[str, ...], Checks],
                 tuple[list[EntityObject], list[list[Any]]]] = {}
    for obj in {id(obj): obj for obj in changed}.values():
        names, checks, params = _update_params(session, obj, optimistic)
        group = groups.get((type(obj), names, checks))
        if group is None:
            group = groups[(type(obj), names, checks)] = ([], [])
        group[0].append(obj)
        group[1].append(params)
    for (entity, names, checks), (objs, rows) in groups.items():
        update_batch(session, session.info(entity), names, checks, objs, rows)
    for obj in changed:
        d = obj.__dict__
        d["_dirty_"] = None
        d.pop("_dbvals_", None)
    hooks.call("after_update", changed)


def _update_params(session: Session, obj: EntityObject, optimistic: bool
                   ) -> tuple[tuple[str, ...], Checks, list[Any]]:
    """``(changed attributes, the optimistic checks, parameters)`` of one object's UPDATE."""
    entity = type(obj)
    info = session.info(entity)
    dirty = obj._dirty_ or set()
    names = tuple(dirty) if len(dirty) == 1 else tuple(n for n in info.attrs if n in dirty)
    params: list[Any] = []
    for name in names:
        params.extend(_column_values(session, info, name, obj._vals_.get(name), True))
    params.extend(key_params(info, obj._key_()))
    checks: Checks = ()
    read = obj.__dict__.get("_dbvals_") if optimistic else None
    if read:
        checked = _checked_attrs(session, info)
        for name in names:
            old = read.get(name, UNREAD)
            if old is UNREAD or name not in checked:
                continue
            if old is None and not info.attrs[name].empty_str:
                checks += ((name, True),)
            else:
                checks += ((name, False),)
                params.extend(_column_values(session, info, name, old, False))
    return names, checks, params


def _column_values(session: Session, info: EntityInfo, name: str, value: Any,
                   new: bool) -> list[Any]:
    """The column values of one attribute's value (``new``: a value to write, checked)."""
    a = info.attrs[name]
    if value is None:
        if new and a.required:
            raise ValidationError(f"{info.entity.__name__}.{name} is required (Req) but has "
                                  f"no value")
        return [""] if a.empty_str and not new else [None] * len(a.columns)
    if a.kind == "single":
        if getattr(value, "_status_", None) == NEW:
            insert_objects(session, [value])
        return key_columns(a, value._key_() if hasattr(value, "_vals_") else value)
    to_db = a.to_db[0]
    return [value if to_db is None else to_db(value)]


def _checked_attrs(session: Session, info: EntityInfo) -> frozenset[str]:
    """The attributes of ``info`` the optimistic check compares (cached per session)."""
    cache: dict[type, frozenset[str]] = session.__dict__.setdefault("_checked_attrs", {})
    found = cache.get(info.entity)
    if found is None:
        attrs = info.entity._attrs_
        found = cache[info.entity] = frozenset(
            name for name, a in info.attrs.items()
            if a.kind != "pk" and not attrs[name].opt("volatile")
            and (a.kind == "single" or logical_type(attrs[name].py_type) not in UNCHECKED_TYPES))
    return found
