"""db_session: the unit of work of the ORM (identity map, flush, commit, rollback).

Every read and write of entities happens inside a session::

    with db_session:                  # or @db_session on a function
        ann = User(name="ann")        # INSERT at flush()/commit(); ann.id is set then
        ann.name = "Ann"              # UPDATE of the changed columns at flush
    # committed here; an exception inside the block rolls everything back instead

Which database a session talks to
---------------------------------
``db_session`` (bare) uses *the* database the entities are mapped in: the first entity the
session touches picks it, among the ``Database`` objects on which ``generate_mapping()`` was
called.  When the same entity classes are mapped in several databases (say one SQLite and one
PostgreSQL ``Database`` in one process), name the database: ``with db_session(db):`` or
``@db_session(db)``.  A session talks to exactly one database; using an entity that database
does not map is a ``SessionError``.  A ``db_session`` nested in another one for the same
database joins it (the outer one commits); one for another database is independent.

What happens when
-----------------
- The session opens its transaction (``db.transaction()``) at its first statement, and
  ``commit()`` / ``rollback()`` end it; the next statement opens a new one.
- Every query flushes pending changes first, so it sees them.
- ``flush()`` writes new objects (in creation order, related objects first), then the changed
  columns of changed objects, then many-to-many links.  ``obj.delete()`` flushes and deletes at
  once, and applies the foreign keys' ``on_delete`` to the objects already in the session.
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

import enum
import functools
import threading
from contextvars import ContextVar
from typing import Any

from .errors import (
    IntegrityError,
    ObjectNotFound,
    SessionError,
    ValidationError,
)
from .rowmap import EntityInfo, entity_info, insert_sql, referrers

NEW, LOADED, DELETED, DETACHED = "new", "loaded", "deleted", "detached"

_current: ContextVar[Session | None] = ContextVar("nextorm_session", default=None)


class _Rollback(Exception):
    """Thrown into ``db.transaction()`` to make it roll back without a user exception."""


def current_session() -> Session:
    """Return the active session; raise SessionError when there is none."""
    session = _current.get()
    if session is None:
        raise SessionError("no active db_session: wrap this code in 'with db_session:' "
                           "or decorate the function with @db_session")
    return session


def mapped_databases(entity: type) -> list[Any]:
    """The bound, mapped Database objects whose entities include ``entity``."""
    from .database import MAPPED_DATABASES

    return [db for db in list(MAPPED_DATABASES)
            if db.mapping is not None and entity in db.mapping and db.dialect is not None]


class Session:
    """One unit of work on one database: identity map, pending changes, the transaction."""

    def __init__(self, db: Any = None) -> None:
        self.db = db
        self._tx: Any = None
        self.identity: dict[type, dict[Any, Any]] = {}
        self.new: list[Any] = []
        self.dirty: dict[int, Any] = {}
        self.links: list[tuple[str, Any, Any, Any]] = []
        self.active = True
        self._flushing = False
        self._infos: dict[type, EntityInfo] = {}

    # -- database and transaction ----------------------------------------------------------

    def info(self, entity: type) -> EntityInfo:
        """Return the row layout of ``entity`` on this session's database."""
        found = self._infos.get(entity)
        if found is not None:
            return found
        found = self._infos[entity] = self._resolve_info(entity)
        return found

    def _resolve_info(self, entity: type) -> EntityInfo:
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
        return entity_info(db, entity)

    def begin(self) -> None:
        if self._tx is None:
            if not self.active:
                raise SessionError("this db_session has ended")
            tx = self.db.transaction()
            tx.__enter__()
            self._tx = tx

    def execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        self.begin()
        return self.db._execute(sql, params)

    def execute_dml(self, sql: str, params: Any = ()) -> int:
        self.begin()
        return self.db._execute_dml(sql, params)

    # -- identity map ----------------------------------------------------------------------

    def lookup(self, entity: type, key: Any) -> Any:
        return self.identity.get(entity, {}).get(key)

    def register(self, obj: Any, key: Any) -> None:
        imap = self.identity.setdefault(type(obj), {})
        other = imap.get(key)
        if other is not None and other is not obj:
            raise ValidationError(f"{type(obj).__name__}[{key!r}] already exists in this session")
        imap[key] = obj

    # -- unit of work ----------------------------------------------------------------------

    def add_new(self, obj: Any) -> None:
        self.new.append(obj)

    def mark_dirty(self, obj: Any, name: str) -> None:
        dirty = obj._dirty_
        if dirty is None:
            obj.__dict__["_dirty_"] = {name}
            self.dirty[id(obj)] = obj
        else:
            dirty.add(name)

    def flush(self) -> None:
        """Write pending inserts, updates and many-to-many links to the database."""
        if self._flushing or not (self.new or self.dirty or self.links):
            return
        self._flushing = True
        try:
            new, self.new = self.new, []
            for obj in new:
                if obj._status_ == NEW:
                    self._insert(obj, ())
            dirty, self.dirty = self.dirty, {}
            for obj in dirty.values():
                if obj._status_ == LOADED and obj._dirty_:
                    self._update(obj)
                obj.__dict__["_dirty_"] = None
            links, self.links = self.links, []
            for op, rel, owner, target in links:
                self._write_link(op, rel, owner, target)
        finally:
            self._flushing = False

    def _insert(self, obj: Any, chain: tuple[int, ...]) -> None:
        entity = type(obj)
        info = self.info(entity)
        vals = obj._vals_
        names: list[str] = []
        params: list[Any] = []
        skipped = False
        for a, is_single, conv, required, server_fills in _insert_plan(info):
            value = vals.get(a.name)
            if value is None:
                if server_fills:  # the server's DEFAULT (or auto-increment) fills it
                    skipped = skipped or a.name != info.auto_pk
                    continue
                if required:
                    raise ValidationError(f"{entity.__name__}.{a.name} is required "
                                          f"({'PK' if a.kind == 'pk' else 'Req'}) but has no value")
                params.extend([None] * len(a.columns))
            elif is_single:
                if hasattr(value, "_vals_"):
                    if value._status_ == NEW:
                        if id(value) in chain:
                            raise ValidationError(
                                f"{entity.__name__}.{a.name}: objects refer to each other in a "
                                f"cycle; flush one of them first")
                        self._insert(value, (*chain, id(obj)))
                    value = value._key_()
                params.extend(_key_columns(a, value))
            else:
                params.append(value if conv is None else conv(value))
            names.append(a.name)
        sql = insert_sql(info, tuple(names))
        if self._tx is None:
            self.begin()
        auto = info.auto_pk
        try:
            if auto:
                new_id = self.db._insert(sql, params)
            else:  # psycopg has no lastrowid: nothing to read back
                self.db._execute_dml(sql, params)
        except IntegrityError as exc:
            raise _explain(exc, info, self.db, f"cannot insert {entity.__name__}") from exc
        if auto and vals.get(auto) is None:
            vals[auto] = new_id
        d = obj.__dict__
        d["_status_"] = LOADED
        if d["_dirty_"] is not None:
            d["_dirty_"] = None
            self.dirty.pop(id(obj), None)
        self.register(obj, vals[auto] if auto else info.key_of_row(vals))
        if skipped:  # columns filled by the server's DEFAULT: read them back
            omitted = [n for n in info.attrs if n not in names and n != auto]
            if omitted:
                self.refresh(obj, omitted)

    def _update(self, obj: Any) -> None:
        entity = type(obj)
        info = self.info(entity)
        sets: list[str] = []
        params: list[Any] = []
        dirty = obj._dirty_
        for name in (dirty if len(dirty) == 1 else [n for n in info.attrs if n in dirty]):
            a = info.attrs[name]
            value = obj._vals_.get(name)
            if value is None and a.required:
                raise ValidationError(f"{entity.__name__}.{name} is required (Req) but has no value")
            if a.kind == "single":
                if value is not None and hasattr(value, "_vals_"):
                    if value._status_ == NEW:
                        self._insert(value, (id(obj),))
                    value = value._key_()
                column_values = [None] * len(a.columns) if value is None else _key_columns(a, value)
            else:
                conv = a.to_db[0]
                column_values = [value if conv is None or value is None else conv(value)]
            sets.extend(f"{q} = ?" for q in a.quoted)
            params.extend(column_values)
        where, key_params = self.key_condition(info, obj._key_())
        sql = f"UPDATE {info.table} SET {', '.join(sets)} WHERE {where}"
        self.begin()
        try:
            self.db._execute_dml(sql, params + key_params)
        except IntegrityError as exc:
            raise _explain(exc, info, self.db, f"cannot update {obj!r}") from exc

    def key_condition(self, info: EntityInfo, key: Any, alias: str = "") -> tuple[str, list]:
        """Return ``"pk" = ?`` (AND ...) and its parameters for an entity key."""
        prefix = f"{alias}." if alias else ""
        keys = (key,) if len(info.pk_attrs) == 1 else tuple(key)
        parts: list[str] = []
        params: list[Any] = []
        for name, value in zip(info.pk_attrs, keys, strict=True):
            a = info.attrs[name]
            cols = _key_columns(a, value) if a.kind == "single" else [
                value if a.to_db[0] is None else a.to_db[0](value)]
            parts.extend(f"{prefix}{q} = ?" for q in a.quoted)
            params.extend(cols)
        return " AND ".join(parts), params

    def _write_link(self, op: str, rel: Any, owner: Any, target: Any) -> None:
        db = self.db
        q = db.dialect.quote
        owner_cols = self.key_columns(owner)
        target_cols = self.key_columns(target)
        cols = rel.join_columns + rel.join_target_columns
        cond = " AND ".join(f"{q(c)} = ?" for c in cols)
        table = q(rel.join_table)
        self.begin()
        if op == "add":
            marks = ", ".join("?" * len(cols))
            sql = (f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) SELECT {marks} "
                   f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {cond})")
            values = owner_cols + target_cols
            self.db._execute_dml(sql, values + values)
        else:
            self.db._execute_dml(f"DELETE FROM {table} WHERE {cond}", owner_cols + target_cols)

    def key_columns(self, obj: Any) -> list[Any]:
        """Return the column values of an object's key (inserting it first if new)."""
        if obj._status_ == NEW:
            self._insert(obj, ())
        info = self.info(type(obj))
        return self.key_condition(info, obj._key_())[1]

    # -- reading ---------------------------------------------------------------------------

    def load(self, entity: type, key: Any, required: bool = True) -> Any:
        """Return the object with ``key``: from the identity map, else from the database."""
        obj = self.lookup(entity, key)
        if obj is not None:
            if obj._status_ == DELETED:
                obj = None
            if obj is not None or not required:
                if obj is None:
                    return None
                return obj
        else:
            from .query import Query

            info = self.info(entity)
            where, params = self.key_condition(info, key, "t0")
            found = Query(entity)._fetch(self, where_sql=(where, params))
            obj = found[0] if found else None
        if obj is None and required:
            raise ObjectNotFound(f"{entity.__name__}[{key!r}] not found")
        return obj

    def refresh(self, obj: Any, names: list[str]) -> None:
        """Read the given attributes of ``obj`` again from its row."""
        info = self.info(type(obj))
        where, params = self.key_condition(info, obj._key_())
        cols = [q for name in names for q in info.attrs[name].quoted]
        rows = self.execute(f"SELECT {', '.join(cols)} FROM {info.table} WHERE {where}", params)
        if rows:
            values = read_values(info, names, rows[0])
            obj._vals_.update(values)

    def materialize(self, info: EntityInfo, rows: list[tuple[Any, ...]]) -> list[Any]:
        """Turn rows of all the entity's columns into objects, through the identity map."""
        entity = info.entity
        imap = self.identity.setdefault(entity, {})
        plan = read_plan(info)
        pk = info.pk_attrs[0] if len(info.pk_attrs) == 1 else None
        out = []
        new_object = object.__new__
        fast = _fast_plan(plan)
        if fast is not None:
            names, fixes, empties = fast
        for row in rows:
            if fast is not None:  # one column per attribute: zip, then fix the few that need it
                vals = dict(zip(names, row, strict=True))
                for name, i, conv in fixes:
                    v = row[i]
                    if v is not None:
                        vals[name] = conv(v)
                for name in empties:
                    if vals[name] is None:
                        vals[name] = ""
            else:
                vals = _row_values(plan, row)
            key = vals[pk] if pk is not None else info.key_of_row(vals)
            obj = imap.get(key)
            if obj is None:
                obj = new_object(entity)
                obj.__dict__.update(_vals_=vals, _session_=self, _status_=LOADED, _dirty_=None)
                imap[key] = obj
            elif obj._status_ == DELETED:
                continue
            out.append(obj)
        return out

    # -- deleting --------------------------------------------------------------------------

    def delete(self, obj: Any) -> None:
        """Delete ``obj``'s row now and apply on_delete to the related objects in the session."""
        if obj._status_ == DELETED:
            return
        if obj._status_ == NEW:
            obj.__dict__["_status_"] = DELETED
            self.new = [o for o in self.new if o is not obj]
            return
        self.flush()
        info = self.info(type(obj))
        key = obj._key_()
        where, params = self.key_condition(info, key)
        try:
            self.execute_dml(f"DELETE FROM {info.table} WHERE {where}", params)
        except IntegrityError as exc:
            raise _explain(exc, info, self.db, f"cannot delete {obj!r}") from exc
        self._forget(obj, info, key)

    def _forget(self, obj: Any, info: EntityInfo, key: Any) -> None:
        obj.__dict__["_status_"] = DELETED
        self.identity.get(info.entity, {}).pop(key, None)
        self.dirty.pop(id(obj), None)
        for entity, attr_name, on_delete in referrers(self.db, info):
            for other in list(self.identity.get(entity, {}).values()):
                value = other._vals_.get(attr_name)
                if value is obj or (value is not None and value == key
                                    and not hasattr(value, "_vals_")):
                    if on_delete == "CASCADE":
                        other_info = self.info(entity)
                        self._forget(other, other_info, other._key_())
                    elif on_delete == "SET NULL":
                        other._vals_[attr_name] = None

    # -- ending ----------------------------------------------------------------------------

    def commit(self) -> None:
        """Flush, then commit the transaction (the session stays usable)."""
        try:
            self.flush()
        except BaseException:
            self.rollback()
            raise
        tx, self._tx = self._tx, None
        if tx is not None:
            tx.__exit__(None, None, None)

    def rollback(self) -> None:
        """Discard pending changes, roll the transaction back and empty the identity map."""
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
        try:
            if commit:
                self.commit()
            else:
                self.rollback()
        finally:
            self.active = False


def _insert_plan(info: EntityInfo) -> list[tuple[Any, bool, Any, bool, bool]]:
    """``(attribute, is Single, to_db, required, server fills it when None)`` per column."""
    plan = info.__dict__.get("_insert_plan")
    if plan is None:
        plan = [(a, a.kind == "single", a.to_db[0], a.required,
                 a.name == info.auto_pk or a.sql_default is not None)
                for a in info.attrs.values()]
        info.__dict__["_insert_plan"] = plan
    return plan


def read_plan(info: EntityInfo) -> list[tuple[str, int, int, Any, bool]]:
    """``(attribute, first column, column count, from_db list, empty_str)`` in select order."""
    plan = info.__dict__.get("_read_plan")
    if plan is None:
        plan = []
        i = 0
        for a in info.attrs.values():
            n = len(a.columns)
            plan.append((a.name, i, n, a.from_db[0] if n == 1 else a.from_db, a.empty_str))
            i += n
        info.__dict__["_read_plan"] = plan
    return plan


def _fast_plan(plan: list) -> tuple[list[str], list[tuple[str, int, Any]], list[str]] | None:
    """For one-column attributes: names, the converters to apply, the Opt[str] names."""
    if any(n != 1 for _, _, n, _, _ in plan):
        return None
    return ([name for name, *_ in plan],
            [(name, i, conv) for name, i, _, conv, _ in plan if conv is not None],
            [name for name, _, _, _, empty in plan if empty])


def _row_values(plan: list, row: tuple[Any, ...]) -> dict[str, Any]:
    vals: dict[str, Any] = {}
    for name, i, n, conv, empty_str in plan:
        if n == 1:
            v = row[i]
            if v is None:
                if empty_str:
                    v = ""
            elif conv is not None:
                v = conv(v)
        else:
            raw = row[i:i + n]
            v = None if all(x is None for x in raw) else tuple(
                x if c is None or x is None else c(x) for x, c in zip(raw, conv, strict=True))
        vals[name] = v
    return vals


def read_values(info: EntityInfo, names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """Convert the columns of ``names`` (in that order) from one row."""
    plan = []
    i = 0
    for name in names:
        a = info.attrs[name]
        n = len(a.columns)
        plan.append((name, i, n, a.from_db[0] if n == 1 else a.from_db, a.empty_str))
        i += n
    return _row_values(plan, row)


def _key_columns(a: Any, key: Any) -> list[Any]:
    """Column values of a Single's target key (a scalar, or a tuple for a composite key)."""
    values = [key] if len(a.columns) == 1 else list(key)
    if len(a.columns) == 1 and isinstance(key, tuple):
        values = list(key)
    return [v if c is None or v is None else c(v) for v, c in zip(values, a.to_db, strict=True)]


def _explain(exc: IntegrityError, info: EntityInfo, db: Any, action: str) -> IntegrityError:
    """Name the attribute behind a constraint violation, keeping the server's text."""
    message = str(exc)
    table_name = db.mapping[info.entity].table
    table = db.schema()["tables"][table_name]
    column_attr = {c: a.name for a in info.attrs.values() for c in a.columns}
    for name, unique in table["uniques"].items():
        cols = unique["columns"]
        sqlite_form = ", ".join(f"{table_name}.{c}" for c in cols)
        if name in message or sqlite_form in message:
            attrs = ", ".join(f"{info.entity.__name__}.{column_attr.get(c, c)}" for c in cols)
            return IntegrityError(f"{action}: {attrs} must be unique ({message})", exc.sql)
    if any(word in message.lower() for word in ("duplicate", "unique")):
        return IntegrityError(f"{action}: {info.entity.__name__} key already exists "
                              f"({message})", exc.sql)
    return IntegrityError(f"{action}: {message}", exc.sql)


class DBSession:
    """``db_session``: a context manager and a decorator; ``db_session(db)`` names the database."""

    def __init__(self, db: Any = None) -> None:
        self.db = db
        self._local = threading.local()

    @property
    def _stack(self) -> list[tuple[Session, Any] | None]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def __call__(self, arg: Any = None) -> Any:
        if callable(arg) and not hasattr(arg, "transaction"):
            db = self.db

            @functools.wraps(arg)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with DBSession(db):
                    return arg(*args, **kwargs)

            return wrapper
        return DBSession(arg)

    def __enter__(self) -> Session:
        outer = _current.get()
        if outer is not None and outer.active and (self.db is None or outer.db in (None, self.db)):
            if self.db is not None and outer.db is None:
                outer.db = self.db
            self._stack.append(None)
            return outer
        session = Session(self.db)
        token = _current.set(session)
        self._stack.append((session, token))
        return session

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        entry = self._stack.pop()
        if entry is None:
            return
        session, token = entry
        try:
            session.close(commit=exc_type is None)
        finally:
            _current.reset(token)


db_session = DBSession()


def flush() -> None:
    """Flush the active session."""
    current_session().flush()


def commit() -> None:
    """Commit the active session."""
    current_session().commit()


def rollback() -> None:
    """Roll back the active session."""
    current_session().rollback()


def create(obj: Any, values: dict[str, Any]) -> None:
    """Initialise a new object from keyword values and defaults; track it for INSERT."""
    entity = type(obj)
    session = current_session()
    info = session.info(entity)
    names, columns, others = _creation_plan(entity)
    if not values.keys() <= names:
        unknown = sorted(set(values) - names)
        raise ValidationError(f"{entity.__name__}() got unknown attribute(s) {', '.join(unknown)}")
    vals: dict[str, Any] = {}
    obj.__dict__.update(_vals_=vals, _session_=session, _status_=NEW, _dirty_=None)
    missing = _MISSING
    for name, check, default, call_default in columns:
        value = values.get(name, missing)
        if value is missing:
            value = default() if call_default else default
        vals[name] = check(value)
    auto = info.auto_pk
    if auto is None or vals.get(auto) is not None:
        key = info.key_of_row(vals)
        if key is not None and not (isinstance(key, tuple) and None in key):
            session.register(obj, key)
    session.new.append(obj)
    for name in others:
        if name in values:
            if entity._attrs_[name].kind == "set":
                getattr(obj, name).add(values[name])
            else:
                setattr(obj, name, values[name])


_MISSING = object()


def _creation_plan(entity: type) -> tuple[frozenset[str], list[tuple[str, Any, Any, bool]],
                                          list[str]]:
    """The attribute names, ``(name, check, default, call it)`` per column, other names."""
    plan = entity.__dict__.get("_creation_plan_")
    if plan is None:
        columns = []
        for a in entity._attrs_.values():
            if a.is_column:
                descriptor = entity.__dict__[a.name]
                default = a.opt("default")
                call = callable(default) and not isinstance(default, enum.Enum)
                columns.append((a.name, descriptor.checker(), default, call))
        others = [a.name for a in entity._attrs_.values() if not a.is_column]
        plan = (frozenset(entity._attrs_), columns, others)
        entity._creation_plan_ = plan
    return plan
