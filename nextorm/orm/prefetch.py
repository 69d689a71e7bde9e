"""``query.prefetch(Post.author, "tags")``: a relation of many objects in one query.

- A ``Single``: the related objects not yet in the identity map are read with one
  ``WHERE key IN (...)``; reading ``post.author`` then finds them there.
- A ``Set``: the related objects of every owner are read with one query (the reverse
  ``Single IN (...)``, or the join table for many-to-many) and kept on each owner.  The
  owner's ``RelationSet`` answers from them while the session has changed nothing since:
  each flush gives the session new pending lists, so any change (``add``, a new related
  object, a flush, a rollback, ``query.update``) makes the set query the database again.

Keys are read in chunks of ``CHUNK`` so a long list stays within every server's limit on
parameters; a composite key is matched column by column (``(a = ? AND b = ?) OR ...``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..attributes import DELETED
from .expressions import Compare, Condition, EntityVar, Selection, attribute
from .querysql import select_sql

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from .layout import EntityInfo
    from .session import Session

CHUNK = 500


def prefetch(session: Session, info: EntityInfo, objs: list[Any], names: tuple[str, ...]
             ) -> None:
    """Load the relations ``names`` of ``objs`` (objects of ``info.entity``)."""
    for name in dict.fromkeys(names):
        if info.entity._attrs_[name].kind == "single":
            _singles(session, info, objs, name)
        else:
            _sets(session, info, objs, name)


def _keys_condition(session: Session, info: EntityInfo, keys: list[Any]) -> Condition:
    if len(info.pk_attrs) == 1:
        return Compare(attribute(info.entity, info.pk_attrs[0]), "IN", keys)
    return EntityVar(info.entity).in_(keys)


def _read(session: Session, info: EntityInfo, cond: Condition) -> list[Any]:
    sql, params, _ = select_sql(session, Selection(info.entity, where=(cond,)))
    return session.materialize(info, session.execute(sql, params))


def _singles(session: Session, info: EntityInfo, objs: list[Any], name: str) -> None:
    a = info.attrs.get(name)
    if a is None or a.target is None:
        return  # the side of a one-to-one that holds no column reads itself
    target = a.target
    keys = list(dict.fromkeys(
        v for o in objs if (v := o._vals_.get(name)) is not None
        and not hasattr(v, "_vals_") and session.lookup(target, v) is None))
    tinfo = session.info(target)
    for i in range(0, len(keys), CHUNK):
        _read(session, tinfo, _keys_condition(session, tinfo, keys[i:i + CHUNK]))


def _sets(session: Session, info: EntityInfo, objs: list[Any], name: str) -> None:
    from .relation_set import set_relation  # it imports this module

    rel = set_relation(info, name)
    if not objs:
        return
    tinfo = session.info(rel.target)
    found: dict[Any, list[Any]] = {o._key_(): [] for o in objs}
    for i in range(0, len(objs), CHUNK):
        chunk = objs[i:i + CHUNK]
        if rel.kind == "one_to_many" and rel.reverse is not None:
            reverse = rel.reverse.name
            cond = Compare(attribute(rel.target, reverse), "IN", chunk)
            for obj in _read(session, tinfo, cond):
                owner = obj._vals_.get(reverse)
                found[owner._key_() if hasattr(owner, "_vals_") else owner].append(obj)
        else:
            _many_to_many(session, info, tinfo, rel, chunk, found)
    marker = _marker(session)
    for o in objs:
        o.__dict__.setdefault("_prefetched_", {})[name] = (marker, found[o._key_()])


def _many_to_many(session: Session, info: EntityInfo, tinfo: EntityInfo, rel: Any,
                  owners: list[Any], found: dict[Any, list[Any]]) -> None:
    q = session.dialect.quote
    owner_columns = [f"j.{q(c)}" for c in rel.join_columns]
    n = len(owner_columns)
    on = " AND ".join(f"j.{q(jc)} = t0.{tc}" for jc, tc in
                      zip(rel.join_target_columns, tinfo.statements.key_quoted, strict=True))
    by_params = {tuple(session.key_params(o)): o._key_() for o in owners}
    each = "(" + " AND ".join(f"{c} = ?" for c in owner_columns) + ")"
    sql = (f"SELECT {', '.join(owner_columns)}, {tinfo.statements.all_columns} "
           f"FROM {tinfo.table} t0 JOIN {q(rel.join_table)} j ON {on} "
           f"WHERE {' OR '.join([each] * len(by_params))}")
    for row in session.execute(sql, [v for params in by_params for v in params]):
        objs = session.materialize(tinfo, [row[n:]])
        key = tuple(row[:n])
        owner = by_params.get(key, key[0] if n == 1 else key)  # else: the row's own form
        if objs and owner in found:
            found[owner].append(objs[0])


def _marker(session: Session) -> tuple[Any, ...]:
    """What the session's pending changes are now: any change replaces or fills one."""
    return (session.new, session.dirty, session.links)


def prefetched(owner: EntityObject, name: str, session: Session) -> list[Any] | None:
    """The prefetched objects of ``owner.name``, or None if they may be out of date."""
    cache = owner.__dict__.get("_prefetched_")
    entry = cache.get(name) if cache else None
    if cache is None or entry is None:
        return None
    marker, objs = entry
    now = _marker(session)
    if any(a is not b for a, b in zip(marker, now, strict=True)) or any(now):
        del cache[name]
        return None
    return [o for o in objs if o._status_ != DELETED]


def forget_prefetched(session: Session) -> None:
    """Drop every prefetched set of the session (rows changed behind its back)."""
    for objs in session.identity.values():
        for obj in objs.values():
            obj.__dict__.pop("_prefetched_", None)
