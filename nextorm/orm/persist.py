"""Write single rows: a DELETE (with on_delete in the session), a many-to-many link; and name
the attribute behind a constraint violation.

INSERTs and UPDATEs are written in batches at flush (``flush.py``, ``batch.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..attributes import DELETED
from ..errors import IntegrityError
from . import hooks
from .layout import referrers
from .rows import key_params
from .sql import link_delete, link_insert

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from ..database import Database
    from ..mapping import Relation
    from .layout import EntityInfo
    from .session import Session


def delete_row(session: Session, obj: EntityObject) -> None:
    """DELETE a loaded object's row, then apply on_delete to the objects in the session."""
    info = session.info(type(obj))
    hooks.call("before_delete", (obj,))
    key = obj._key_()
    try:
        session.execute_dml(info.statements.delete, key_params(info, key))
    except IntegrityError as exc:
        raise explain(exc, info, session.database, f"cannot delete {obj!r}") from exc
    _forget(session, obj, info, key)
    hooks.call("after_delete", (obj,))


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
