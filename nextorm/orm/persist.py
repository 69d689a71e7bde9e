"""Write one object's row: INSERT, UPDATE, DELETE (with on_delete in the session), links.

The session (``session.py``) decides what to write and in which order; these functions turn
one object's values into parameters for the statements of ``sql.py``, write related new
objects first, and name the attribute behind a constraint violation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..attributes import DELETED, LOADED, NEW
from ..errors import IntegrityError, ValidationError
from .layout import referrers
from .rows import key_columns, key_params
from .sql import link_delete, link_insert

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from ..database import Database
    from ..mapping import Relation
    from .layout import AttrInfo, EntityInfo
    from .session import Session


def insert_row(session: Session, obj: EntityObject, chain: tuple[int, ...] = ()) -> None:
    """INSERT a new object (and the new objects it refers to, first); register its key.

    ``chain`` holds the ids of the objects waiting for this one, to refuse a cycle.
    """
    entity = type(obj)
    info = session.info(entity)
    vals = obj._vals_
    params: list[Any] = []
    server_filled: tuple[str, ...] = ()  # left to the server's DEFAULT or auto-increment
    for name, a, is_single, to_db, required, server_fills in info.insert_plan:
        value = vals.get(name)
        if value is None:
            if server_fills:
                server_filled += (name,)
                continue
            if required:
                raise ValidationError(f"{entity.__name__}.{name} is required "
                                      f"({'PK' if a.kind == 'pk' else 'Req'}) but has no value")
            params.extend([None] * len(a.columns))
        elif is_single:
            params.extend(key_columns(a, _related_key(session, obj, a, value, chain)))
        else:
            params.append(value if to_db is None else to_db(value))
    auto = info.auto_pk
    try:
        new_id = session.insert(info.statements.insert_without(server_filled), params,
                                auto is not None)
    except IntegrityError as exc:
        raise explain(exc, info, session.database, f"cannot insert {entity.__name__}") from exc
    if auto and vals.get(auto) is None:
        vals[auto] = new_id
    d = obj.__dict__
    d["_status_"] = LOADED
    if d["_dirty_"] is not None:
        d["_dirty_"] = None
        session.dirty.pop(id(obj), None)
    session.register(obj, vals[auto] if auto else info.key_of_row(vals))
    defaulted = [name for name in server_filled if name != auto]
    if defaulted:  # columns the server's DEFAULT filled: read them back
        session.refresh(obj, defaulted)


def _related_key(session: Session, obj: EntityObject, a: AttrInfo, value: Any,
                 chain: tuple[int, ...]) -> Any:
    """The key a Single stores: a new related object is inserted first to get one."""
    if not hasattr(value, "_vals_"):
        return value
    if value._status_ == NEW:
        if id(value) in chain:
            raise ValidationError(f"{type(obj).__name__}.{a.name}: objects refer to each other "
                                  f"in a cycle; flush one of them first")
        insert_row(session, value, (*chain, id(obj)))
    return value._key_()


def update_row(session: Session, obj: EntityObject) -> None:
    """UPDATE the changed columns of a loaded object."""
    entity = type(obj)
    info = session.info(entity)
    dirty = obj._dirty_ or set()
    names = tuple(dirty) if len(dirty) == 1 else tuple(n for n in info.attrs if n in dirty)
    params: list[Any] = []
    for name in names:
        a = info.attrs[name]
        value = obj._vals_.get(name)
        if value is None:
            if a.required:
                raise ValidationError(f"{entity.__name__}.{name} is required (Req) but has "
                                      f"no value")
            params.extend([None] * len(a.columns))
        elif a.kind == "single":
            params.extend(key_columns(a, _related_key(session, obj, a, value, ())))
        else:
            to_db = a.to_db[0]
            params.append(value if to_db is None else to_db(value))
    params.extend(key_params(info, obj._key_()))
    try:
        session.execute_dml(info.statements.update(names), params)
    except IntegrityError as exc:
        raise explain(exc, info, session.database, f"cannot update {obj!r}") from exc


def delete_row(session: Session, obj: EntityObject) -> None:
    """DELETE a loaded object's row, then apply on_delete to the objects in the session."""
    info = session.info(type(obj))
    key = obj._key_()
    try:
        session.execute_dml(info.statements.delete, key_params(info, key))
    except IntegrityError as exc:
        raise explain(exc, info, session.database, f"cannot delete {obj!r}") from exc
    _forget(session, obj, info, key)


def _forget(session: Session, obj: EntityObject, info: EntityInfo, key: Any) -> None:
    """Drop a deleted object from the session; cascade or null the objects pointing at it."""
    obj.__dict__["_status_"] = DELETED
    session.identity.get(info.entity, {}).pop(key, None)
    session.dirty.pop(id(obj), None)
    for entity, attr_name, on_delete in referrers(session.database, info):
        for other in list(session.identity.get(entity, {}).values()):
            value = other._vals_.get(attr_name)
            if value is obj or (value is not None and value == key
                                and not hasattr(value, "_vals_")):
                if on_delete == "CASCADE":
                    _forget(session, other, session.info(entity), other._key_())
                elif on_delete == "SET NULL":
                    other._vals_[attr_name] = None


def write_link(session: Session, add: bool, rel: Relation, owner: EntityObject,
               target: EntityObject) -> None:
    """Add or remove one many-to-many link (new objects at either end are inserted first)."""
    values = session.key_params(owner) + session.key_params(target)
    if add:
        session.execute_dml(link_insert(session.dialect, rel), values + values)
    else:
        session.execute_dml(link_delete(session.dialect, rel), values)


def explain(exc: IntegrityError, info: EntityInfo, db: Database, action: str) -> IntegrityError:
    """Name the attribute behind a constraint violation, keeping the server's text."""
    message = str(exc)
    table_name = _table_name(db, info)
    table = db.schema_dict()["tables"][table_name]
    column_attr = {c: a.name for a in info.attrs.values() for c in a.columns}
    for name, unique in table["uniques"].items():
        cols = unique["columns"]
        sqlite_form = ", ".join(f"{table_name}.{c}" for c in cols)  # SQLite names no constraint
        if name in message or sqlite_form in message:
            attrs = ", ".join(f"{info.entity.__name__}.{column_attr.get(c, c)}" for c in cols)
            return IntegrityError(f"{action}: {attrs} must be unique ({message})", exc.sql)
    if any(word in message.lower() for word in ("duplicate", "unique")):
        return IntegrityError(f"{action}: {info.entity.__name__} key already exists "
                              f"({message})", exc.sql)
    return IntegrityError(f"{action}: {message}", exc.sql)


def _table_name(db: Database, info: EntityInfo) -> str:
    mapping = db.mapping or {}
    return str(mapping[info.entity].table)
