"""Write many rows at once: the INSERTs and UPDATEs of a flush, one batch per column set.

``flush.py`` decides what is written and in which order (referenced rows first); this module
turns the objects of one entity that write the same columns into as few statements as the
server allows, and puts the keys the server generated on the right objects.

INSERT: a batch is one ``executemany`` or multi-row ``INSERT ... VALUES (...), (...)`` cut to
stay under the dialect's parameter limit.  How the rows learn their auto keys is the
dialect's ``batch_keys`` (each dialect says why the keys land on the right rows):

- ``reserve`` (PostgreSQL): the keys are taken from the column's sequence first (``nextval``
  gives distinct values) and written as values, so no row order needs to be trusted;
- ``last`` (SQLite): an ``executemany`` (an INSERT per row, in order) gives consecutive keys
  ending at ``last_insert_rowid()``, checked against the column's largest value;
- ``first`` (MariaDB): a multi-row INSERT gives consecutive keys (steps of
  ``auto_increment_increment``) from the first one, ``LAST_INSERT_ID()``, unless
  ``innodb_autoinc_lock_mode`` is 2; then, as for a dialect without a strategy, one INSERT
  per row with the driver's ``lastrowid`` or ``RETURNING``.

UPDATE: a batch is one ``executemany`` of the objects changing the same columns (with the
same optimistic checks, see ``flush.py``); fewer rows matched than objects sent means a row
was changed or deleted by another transaction since it was read: ``OptimisticCheckError``.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from ..errors import IntegrityError, OptimisticCheckError, SessionError
from .persist import explain

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from ..database import Database
    from .layout import EntityInfo
    from .session import Session
    from .sql import Checks

#: The most rows in one multi-row INSERT (fewer when the parameter limit says so): big
#: enough that the round trips no longer count, small enough for any server's packet size.
MAX_ROWS = 1000

#: MariaDB: ``auto_increment_increment`` when a multi-row INSERT gets consecutive keys, else 0;
#: read once per database.
_KEY_STEP: weakref.WeakKeyDictionary[Database, int] = weakref.WeakKeyDictionary()


def insert_batch(session: Session, info: EntityInfo, server_filled: tuple[str, ...],
                 rows: list[list[Any]]) -> list[Any] | None:
    """INSERT ``rows`` (every attribute but ``server_filled``); return the new auto keys.

    The keys come in the order of ``rows``; None when the entity has no auto key left to
    the server.
    """
    auto = info.auto_pk
    try:
        if auto is None or auto not in server_filled:
            if len(rows) == 1 or len(server_filled) == len(info.attrs):
                return _row_by_row(session, info, server_filled, rows)
            _write_rows(session, info, server_filled, rows)
            return None
        strategy = session.dialect.batch_keys
        if len(rows) > 1 and len(server_filled) < len(info.attrs) and strategy:
            keys = _STRATEGIES[strategy](session, info, server_filled, rows)
            if keys is not None:
                return keys
        return _row_by_row(session, info, server_filled, rows)
    except IntegrityError as exc:
        raise explain(exc, info, session.database,
                      f"cannot insert {info.entity.__name__}") from exc


def _row_by_row(session: Session, info: EntityInfo, server_filled: tuple[str, ...],
                rows: list[list[Any]]) -> list[Any]:
    """One INSERT per row, each returning its auto key (lastrowid or RETURNING)."""
    sql = info.statements.insert_without(server_filled)
    returns_key = info.auto_pk is not None
    return [session.insert(sql, params, returns_key) for params in rows]


def _write_rows(session: Session, info: EntityInfo, server_filled: tuple[str, ...],
                rows: list[list[Any]]) -> list[tuple[Any, int]]:
    """Write the rows; return ``(the driver's lastrowid, rows)`` of each statement sent.

    A dialect with a bulk load (``copy_sql``: PostgreSQL's COPY) uses it; one whose keys are the
    ``last`` of an ``executemany`` gets one ``executemany``; the others multi-row INSERTs under
    the parameter limit.
    """
    statements = info.statements
    if session.dialect.copy_sql:
        columns = ", ".join(q for name, a in info.attrs.items() if name not in server_filled
                            for q in a.quoted)
        session.execute_many(session.dialect.copy_sql.format(table=info.table, columns=columns),
                             rows)
        return []
    if session.dialect.batch_keys == "last":
        session.execute_many(statements.insert_rows(server_filled, 1), rows)
        return []
    per = max(1, min(MAX_ROWS, session.dialect.max_params // len(rows[0])))
    wants_first = session.dialect.batch_keys == "first"  # lastrowid: the statement's first key
    written = []
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        params = [value for row in chunk for value in row]
        first = session.insert(statements.insert_rows(server_filled, len(chunk)), params,
                               wants_first)
        written.append((first, len(chunk)))
    return written


def _reserved_keys(session: Session, info: EntityInfo, server_filled: tuple[str, ...],
                   rows: list[list[Any]]) -> list[Any] | None:
    """Take the keys from the sequence, then insert them with the other values."""
    auto = info.auto_pk
    assert auto is not None
    column = info.attrs[auto].columns[0]
    found = session.execute(session.dialect.batch_keys_sql, [info.table, column, len(rows)])
    keys = [row[0] for row in found]
    if len(keys) != len(rows) or any(key is None for key in keys):
        return None  # no sequence behind the column: row by row
    with_key = tuple(name for name in server_filled if name != auto)
    at = [name for name in info.attrs if name not in with_key].index(auto)
    _write_rows(session, info, with_key,
                [[*row[:at], key, *row[at:]] for row, key in zip(rows, keys, strict=True)])
    return keys


def _last_keys(session: Session, info: EntityInfo, server_filled: tuple[str, ...],
               rows: list[list[Any]]) -> list[Any] | None:
    """An executemany, then the consecutive keys ending at the last one."""
    _write_rows(session, info, server_filled, rows)
    column = info.attrs[info.auto_pk or ""].quoted[0]
    query = session.dialect.batch_keys_sql.format(table=info.table, column=column)
    last, largest = session.execute(query)[0]
    if last != largest:
        raise SessionError(f"cannot tell the keys of the {len(rows)} new "
                           f"{info.entity.__name__} rows: the table's largest key is taken")
    return list(range(last - len(rows) + 1, last + 1))


def _first_keys(session: Session, info: EntityInfo, server_filled: tuple[str, ...],
                rows: list[list[Any]]) -> list[Any] | None:
    """Multi-row INSERTs, each giving consecutive keys from the first one."""
    db = session.database
    step = _KEY_STEP.get(db)
    if step is None:
        lock_mode, increment = session.execute(session.dialect.batch_keys_sql)[0]
        step = _KEY_STEP[db] = 0 if int(lock_mode) == 2 else int(increment)
    if not step:
        return None
    keys: list[Any] = []
    for first, count in _write_rows(session, info, server_filled, rows):
        keys.extend(range(first, first + count * step, step))
    return keys


_STRATEGIES = {"reserve": _reserved_keys, "last": _last_keys, "first": _first_keys}


def update_batch(session: Session, info: EntityInfo, names: tuple[str, ...], checks: Checks,
                 objects: list[EntityObject], rows: list[list[Any]]) -> None:
    """UPDATE ``names`` of each object (one executemany); refuse a row changed meanwhile."""
    sql = info.statements.update(names, checks)
    try:
        if len(rows) == 1:
            matched = session.execute_dml(sql, rows[0])
        else:
            matched = session.execute_many(sql, rows)
    except IntegrityError as exc:
        what = repr(objects[0]) if len(objects) == 1 else f"{len(objects)} {info.entity.__name__}"
        raise explain(exc, info, session.database, f"cannot update {what}") from exc
    if checks and matched < len(rows):
        what = repr(objects[0]) if len(objects) == 1 else (
            f"{len(rows) - matched} of {len(objects)} {info.entity.__name__} objects")
        changed = ", ".join(name for name, _ in checks)
        raise OptimisticCheckError(
            f"cannot update {what}: the row was changed or deleted by another transaction "
            f"since this session read it ({changed} no longer as read); read it again")
