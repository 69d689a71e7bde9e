"""The Session: one unit of work on one database (identity map, pending changes, transaction).

``db_session`` (``context.py``) opens one; this is what it does with the objects:

- The session opens its transaction (``db.transaction()``) at its first statement, and
  ``commit()`` / ``rollback()`` end it; the next statement opens a new one.
- Every query flushes pending changes first, so it sees them.
- ``flush()`` writes new objects (related objects first, in batches of one entity and
  column set), then the changed columns of changed objects (checked against the values read:
  the optimistic check), then many-to-many links (``flush.py``, ``batch.py``), calling the
  entity's lifecycle hooks (``hooks.py``).
  ``obj.delete()`` flushes and deletes at once, and applies the foreign keys' ``on_delete`` to
  the objects already in the session.
- After ``rollback()`` the identity map is emptied: objects read before are detached (their
  loaded values stay readable, their relations are not loaded any more).
- Changes are seen by assignment: mutating a JSON value in place (``obj.data["k"] = 1``) is
  not; assign a new value (``obj.data = {**obj.data, "k": 1}``).
- A database error inside a session (a unique violation at flush...) leaves the transaction
  unusable on PostgreSQL: let it end the ``with`` block (which rolls back), or call
  ``rollback()`` before going on.
- The session holds its database's connection for its whole transaction, so sessions of
  several threads on one ``Database`` run one after another.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

from ..attributes import DELETED, DETACHED, NEW
from ..database import MAPPED_DATABASES
from ..errors import ObjectNotFound, SessionError, SQLError, ValidationError
from . import persist
from .flush import flush as flush_pending
from .flush import insert_objects
from .layout import EntityInfo, IdentityMap, bound_dialect, entity_info
from .materialize import objects_of
from .rows import key_params, read_values
from .staged import commit_all

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from ..database import Database
    from ..dialects.base import Dialect
    from ..entity import Entity
    from ..mapping import Relation


class _Rollback(Exception):
    """Thrown into ``db.transaction()`` to make it roll back without a user exception."""


#: A many-to-many link to write at flush: ``(add it, else remove it; relation, owner, target)``.
PendingLink = tuple[bool, "Relation", "EntityObject", "EntityObject"]


def mapped_databases(entity: type[Entity]) -> list[Database]:
    """The bound, mapped Database objects whose entities include ``entity``."""
    return [db for db in list(MAPPED_DATABASES)
            if db.mapping is not None and entity in db.mapping and db.dialect is not None]


class Session:
    """One unit of work on one database: identity map, pending changes, the transaction."""

    def __init__(self, db: Database | None = None, *, autocommit: bool = False,
                 optimistic: bool = True, immediate: bool = False, serializable: bool = False,
                 strict: bool = False) -> None:
        self.db = db
        #: Outside a db_session: no transaction, each statement commits on its own.
        self.autocommit = autocommit
        #: The session has ended: it still reads (relations load), writes are refused.
        self.ended = False
        #: UPDATEs check the columns read are unchanged (``OptimisticCheckError``).
        self.optimistic = optimistic
        self.immediate, self.serializable, self.strict = immediate, serializable, strict
        self._tx: AbstractContextManager[Any] | None = None
        self.identity: dict[type[Entity], dict[Any, EntityObject]] = IdentityMap()
        self.new: list[EntityObject] = []
        self.dirty: dict[int, EntityObject] = {}
        self.links: list[PendingLink] = []
        self.active = True
        self._flushing = False
        self._infos: dict[type[Entity], EntityInfo] = {}
        #: The sub-sessions of the other databases this session touched (``for_entity``).
        self.others: dict[Database, Session] = {}

    # -- database and transaction ----------------------------------------------------------

    @property
    def database(self) -> Database:
        """The database this session talks to (chosen by the first entity it touches)."""
        if self.db is None:
            raise SessionError("this db_session has not chosen a database yet")
        return self.db

    @property
    def dialect(self) -> Dialect:
        """The dialect of this session's database."""
        return bound_dialect(self.database)

    def info(self, entity: type[Entity]) -> EntityInfo:
        """Return the row layout of ``entity`` on this session's database."""
        found = self._infos.get(entity)
        if found is None:
            found = self._infos[entity] = entity_info(self._database_for(entity), entity)
        return found

    def known_info(self, entity: type[Entity]) -> EntityInfo | None:
        """The row layout of an entity this session already used, else None (the fast path
        of ``User(...)``: no question which database maps it)."""
        return self._infos.get(entity)

    def for_entity(self, entity: type[Entity]) -> Session:
        """The session that works on ``entity``: this one, or the sub-session of the one
        other database that maps it (committed in stages with this one: ``staged.py``)."""
        db = self.db
        if entity in self._infos or db is None or (db.mapping is not None
                                                   and entity in db.mapping):
            return self  # (_infos: the entities this session already used, the common case)
        for other_db, other in self.others.items():
            if other_db.mapping is not None and entity in other_db.mapping:
                return other
        found = [d for d in mapped_databases(entity) if d is not db]
        if len(found) != 1:
            return self  # not mapped, or in several other databases: _database_for says so
        other = self.others[found[0]] = Session(found[0])
        setattr(other, "optimistic", getattr(self, "optimistic", True))  # noqa: B010
        return other

    def _database_for(self, entity: type[Entity]) -> Database:
        """Return this session's database, choosing it from ``entity`` if not chosen yet."""
        db = self.db
        if db is None:
            found = mapped_databases(entity)
            if not found:
                raise SessionError(
                    f"{entity.__name__} is not mapped: call db.generate_mapping() on a bound "
                    f"Database that lists it")
            if len(found) > 1:
                raise SessionError(
                    f"{entity.__name__} is mapped in {len(found)} databases: choose one with "
                    f"'with db_session(db):'")
            db = self.db = found[0]
        elif db.mapping is None or entity not in db.mapping:
            raise SessionError(f"{entity.__name__} is not mapped in this session's database")
        return db

    @property
    def active(self) -> bool:
        """Always True: objects of an ended session still read their relations (each
        statement then commits on its own, as outside a session); ``ended`` refuses writes."""
        return True

    @active.setter
    def active(self, value: bool) -> None:
        self.ended = not value

    def check_open(self, obj: object) -> None:
        """Refuse a change to ``obj`` once its session has ended: it would never be written."""
        if self.ended:
            raise SessionError(f"{obj!r} belongs to a db_session that has ended; read it "
                               f"again inside the current one, or save it with db.save()")

    def begin(self) -> None:
        """Open the session's transaction unless it is open (none outside a db_session)."""
        if self._tx is None:
            if self.ended or self.autocommit:
                return  # each statement commits on its own
            db = self.database
            tx = db.transaction(db._dialect().begin_session_sql(self.immediate,
                                                                self.serializable))
            tx.__enter__()
            self._tx = tx

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a query in the session's transaction and return its rows."""
        self.begin()
        return self.database._execute(sql, params)

    def execute_dml(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement in the session's transaction; return the rows it changed."""
        self.begin()
        return self.database._execute_dml(sql, params)

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run a statement once per row of parameters (one driver call); return the rows
        changed in all."""
        self.begin()
        return self.database._execute_many(sql, rows)

    def insert(self, sql: str, params: Sequence[Any], returns_key: bool) -> Any:
        """Run an INSERT in the session's transaction; return the new auto key if asked."""
        if self._tx is None:
            self.begin()
        if returns_key:
            return self.database._insert(sql, params)
        self.database._execute_dml(sql, params)  # psycopg has no lastrowid: nothing to read
        return None

    # -- identity map and pending changes --------------------------------------------------

    def lookup(self, entity: type[Entity], key: Any) -> EntityObject | None:
        """The object with ``key`` in the identity map, if it is there."""
        return self.identity.get(entity, {}).get(key)

    def register(self, obj: EntityObject, key: Any) -> None:
        """Put ``obj`` in the identity map under ``key``; another object there is an error."""
        imap = self.identity.setdefault(type(obj), {})
        other = imap.get(key)
        if other is not None and other is not obj:
            raise ValidationError(f"{type(obj).__name__}[{key!r}] already exists in this session")
        imap[key] = obj

    def mark_dirty(self, obj: EntityObject, name: str) -> None:
        """Remember that ``obj.name`` is changing, for the UPDATE at flush.

        Called before the new value is stored: the value read is kept (``_dbvals_``) for the
        optimistic check of the UPDATE (``flush.py``).
        """
        self.check_open(obj)
        dirty = obj._dirty_
        vals = obj._vals_
        if dirty is None:
            obj.__dict__["_dirty_"] = {name}
            obj.__dict__["_dbvals_"] = {name: vals[name]} if name in vals else {}
            self.dirty[id(obj)] = obj
        elif name not in dirty:
            dirty.add(name)
            if name in vals:
                obj.__dict__["_dbvals_"][name] = vals[name]

    def link(self, relation: Relation, owner: EntityObject, target: EntityObject) -> None:
        """Add a many-to-many link at flush."""
        self.check_open(owner)
        self.links.append((True, relation, owner, target))

    def unlink(self, relation: Relation, owner: EntityObject, target: EntityObject) -> None:
        """Remove a many-to-many link at flush."""
        self.check_open(owner)
        self.links.append((False, relation, owner, target))

    def flush(self) -> None:
        """Write pending inserts, updates and many-to-many links to the database."""
        if self._flushing or not (self.new or self.dirty or self.links):
            return
        self._flushing = True
        try:
            flush_pending(self)
        finally:
            self._flushing = False
        for other in self.others.values():
            other.flush()

    def key_params(self, obj: EntityObject) -> list[Any]:
        """Return the column values of an object's key (inserting it first if new)."""
        if obj._status_ == NEW:
            insert_objects(self, [obj])
        return key_params(self.info(type(obj)), obj._key_())

    # -- reading ---------------------------------------------------------------------------

    def load(self, entity: type[Entity], key: Any, required: bool = True
             ) -> EntityObject | None:
        """Return the object with ``key``: from the identity map, else from the database."""
        if self.db is not None and (self.db.mapping is None or entity not in self.db.mapping):
            session = self.for_entity(entity)  # an entity of another database
            if session is not self:
                return session.load(entity, key, required)
        obj = self.lookup(entity, key)
        if obj is None:
            obj = self._read(entity, key)
        elif obj._status_ == DELETED or not isinstance(obj, entity):  # or another subclass's
            obj = None
        if obj is None and required:
            raise ObjectNotFound(f"{entity.__name__}[{key!r}] not found")
        return obj

    def _read(self, entity: type[Entity], key: Any) -> EntityObject | None:
        info = self.info(entity)
        params = key_params(info, key)
        self.flush()
        found = self.materialize(info, self.execute(info.statements.select_by_key, params))
        return found[0] if found else None

    def refresh(self, obj: EntityObject, names: list[str]) -> None:
        """Read the given attributes of ``obj`` again from its row."""
        info = self.info(type(obj))
        params = key_params(info, obj._key_())
        rows = self.execute(info.statements.select_columns(names), params)
        if rows:
            obj._vals_.update(read_values(info, names, rows[0]))

    def materialize(self, info: EntityInfo, rows: list[tuple[Any, ...]]) -> list[Any]:
        """Turn rows of all the entity's columns into objects, through the identity map
        (``materialize.py``)."""
        return objects_of(self, info, rows)

    # -- deleting --------------------------------------------------------------------------

    def delete(self, obj: object) -> None:
        """Delete ``obj``'s row now and apply on_delete to the related objects in the session."""
        target = cast("EntityObject", obj)  # an Entity instance (entity.py calls this)
        self.check_open(obj)
        if target._status_ == DELETED:
            return
        if target._status_ == NEW:
            obj.__dict__["_status_"] = DELETED
            self.new = [o for o in self.new if o is not obj]
            return
        self.flush()
        persist.delete_row(self, target)

    # -- ending ----------------------------------------------------------------------------

    def commit(self) -> None:
        """Flush, then commit the transaction (the session stays usable); with sub-sessions
        of other databases, flush all, commit this one, then the others (``staged.py``)."""
        commit_all(self, list(self.others.values()))

    def end_transaction(self) -> None:
        """COMMIT the open transaction (flushed before); a failed COMMIT is rolled back."""
        tx, self._tx = self._tx, None
        if tx is not None:
            try:
                tx.__exit__(None, None, None)
            except SQLError:
                try:  # SQLite keeps the transaction open after a refused COMMIT
                    self.database._execute_dml("ROLLBACK")
                except SQLError:
                    pass  # the server ended it already
                raise

    def rollback(self) -> None:
        """Discard pending changes, roll the transaction back and empty the identity map."""
        for other in self.others.values():
            other.rollback()
        tx, self._tx = self._tx, None
        if tx is not None:
            tx.__exit__(_Rollback, _Rollback(), None)
        for objs in self.identity.values():
            for obj in objs.values():
                obj.__dict__["_status_"] = DETACHED
        for obj in self.new:
            obj.__dict__["_status_"] = DETACHED
        self.identity.clear()
        self.new, self.dirty, self.links = [], {}, []

    def close(self, commit: bool) -> None:
        """End the session: commit or roll back, then refuse further statements."""
        try:
            if commit:
                self.commit()
            else:
                self.rollback()
        finally:
            self.active = False
            for other in self.others.values():
                other.active = False
            if self.strict:
                self.identity.clear()
