"""``db.save(obj)``, ``db.insert(obj)``, ``db.delete_instance(obj)``: write one object now.

nextorm 0.5.1 lets objects live outside a session: ``User(name="ann")`` outside a
``db_session`` is only in memory until ``db.save(user)``.  Here the object moves into the
active session of the database (or, outside one, into a short session that commits at once),
its change is flushed, and outside a session it is handed to a session in which each
statement commits on its own, so it can be changed and saved again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..attributes import DELETED, LOADED, NEW
from ..errors import ValidationError
from .context import DBSession, session_of_database
from .session import Session

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from ..database import Database


def save(db: Database, obj: Any, always_insert: bool) -> None:
    """INSERT a new object (or any object with ``always_insert``), else UPDATE it."""
    _check(db, obj)
    session = session_of_database(db)
    if session is not None:
        _write(session, obj, always_insert)
        return
    with DBSession(db) as session:
        _write(session, obj, always_insert)
    _rehome(db, obj)


def delete_instance(db: Database, obj: Any) -> None:
    """DELETE the object's row now (committed at once outside a session).

    As in nextorm 0.5.1 the object's key becomes None: it names no row any more, and
    ``db.save(obj)`` afterwards inserts it as a new row (with a new auto key).
    """
    _check(db, obj)
    session = session_of_database(db)
    if session is not None:
        _delete(session, obj)
        return
    with DBSession(db) as session:
        _delete(session, obj)


def _delete(session: Session, obj: EntityObject) -> None:
    _adopt(session, obj)
    delete_object(session, obj)


def delete_object(session: Session, obj: EntityObject) -> None:
    """``obj.delete()``: DELETE its row now; as in nextorm 0.5.1 its key becomes None after."""
    session.delete(obj)
    for name in session.info(type(obj)).pk_attrs:
        obj._vals_[name] = None


def flush_object(obj: EntityObject) -> None:
    """``obj.flush()``: write the object's pending change now (with the session's others)."""
    from ..attributes import session_of

    session_of(obj).flush()


def commit_object(obj: EntityObject) -> None:
    """``obj.commit()``: flush, then commit the transaction of the object's session."""
    from ..attributes import session_of

    session = session_of(obj)
    session.flush()
    session.commit()


def drop_entity_table(entity: type, with_all_data: bool) -> None:
    """``Entity.drop_table()``: drop the entity's table in the one database that maps it."""
    from .session import mapped_databases

    databases = mapped_databases(entity)
    if len(databases) != 1:
        where = "no bound database" if not databases else f"{len(databases)} databases"
        raise ValidationError(f"{entity.__name__}.drop_table(): the entity is mapped in {where}; "
                              f"use db.drop_table({entity.__name__}) on the one you mean")
    databases[0].drop_table(entity, with_all_data=with_all_data)


def _check(db: Database, obj: Any) -> None:
    if db.mapping is None or type(obj) not in db.mapping or "_status_" not in obj.__dict__:
        raise ValidationError(f"{obj!r} is not an object of an entity mapped in this database")
    if obj.__dict__["_status_"] == DELETED and not _unkeyed(obj):
        raise ValidationError(f"{obj!r} was deleted")


def _unkeyed(obj: EntityObject) -> bool:
    """Deleted by ``db.delete_instance``, which clears the key: saving inserts it anew."""
    names = [n for n, a in type(obj)._attrs_.items() if a.in_primary_key]
    names += [n for c in type(obj)._composites_ if c.kind == "primary_key" for n in c.attrs]
    return all(obj._vals_.get(n) is None for n in names)


def _adopt(session: Session, obj: EntityObject) -> None:
    """Move ``obj`` into ``session`` with its pending change (new, or changed columns)."""
    old = obj.__dict__.get("_session_")
    if old is session:
        return
    if old is not None:
        old.new = [o for o in old.new if o is not obj]
        old.dirty.pop(id(obj), None)
    obj.__dict__["_session_"] = session
    if obj._status_ == NEW:
        session.new.append(obj)
        return
    session.register(obj, obj._key_())
    if obj._dirty_:
        session.dirty[id(obj)] = obj


def _write(session: Session, obj: EntityObject, always_insert: bool) -> None:
    if (always_insert or obj._status_ == DELETED) and obj._status_ != NEW:
        obj.__dict__["_status_"] = NEW
        obj.__dict__["_dirty_"] = None
    _adopt(session, obj)
    if obj._status_ == LOADED and not obj._dirty_:  # 0.5.1 writes every column then
        for name, attr in type(obj)._attrs_.items():
            if attr.kind in ("req", "opt", "single") and name in obj._vals_:
                session.mark_dirty(obj, name)
    session.flush()


def _rehome(db: Database, obj: EntityObject) -> None:
    """After a save outside a session: a session of its own, committing each statement."""
    reader = Session(db, autocommit=True)
    obj.__dict__["_session_"] = reader
    if obj._status_ == LOADED:
        reader.register(obj, obj._key_())
