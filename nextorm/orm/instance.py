"""What ``Entity``'s 0.5.1 helper methods do: ``to_dict(...)``, ``select_by_sql``/``get_by_sql``.

``entity.py`` keeps a thin method for each and imports this module on first use.

``to_dict`` gives the stored values by attribute name; a ``Single`` gives the related key
(``related_objects=True``: the object).  ``only``/``exclude`` pick attributes;
``with_collections=True`` adds each ``Set`` as a list of keys (of objects with
``related_objects``), sorted by key so the result does not depend on the server's row order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from .context import current_session
from .raw import raw_rows

if TYPE_CHECKING:
    from ..entity import Entity


def to_dict(obj: Entity, only: Iterable[str] | str | None = None,
            exclude: Iterable[str] | str | None = None, with_collections: bool = False,
            related_objects: bool = False) -> dict[str, Any]:
    """The object's attributes as a dict (see the module docstring)."""
    attrs = type(obj)._attrs_
    chosen = _names(obj, only, "only")
    skipped = set(_names(obj, exclude, "exclude") or ())
    out: dict[str, Any] = {}
    names = chosen if chosen is not None else [
        n for n in attrs if n in obj._vals_ or (with_collections and attrs[n].kind == "set")]
    for name in names:
        if name in skipped:
            continue
        kind = attrs[name].kind
        if kind == "set":
            if chosen is None and not with_collections:
                continue
            related: list[Any] = sorted(getattr(obj, name), key=lambda o: _sort_key(o._key_()))
            out[name] = related if related_objects else [o._key_() for o in related]
        elif kind == "single":
            value: Any = getattr(obj, name) if related_objects else obj._vals_.get(name)
            if not related_objects and hasattr(value, "_vals_"):
                value = value._key_()
            out[name] = value
        else:
            out[name] = getattr(obj, name)
    return out


def _names(obj: Entity, names: Iterable[str] | str | None, what: str) -> list[str] | None:
    if names is None:
        return None
    found = [names] if isinstance(names, str) else list(names)
    for name in found:
        if name not in type(obj)._attrs_:
            raise ValidationError(f"to_dict({what}=...): {type(obj).__name__} has no "
                                  f"attribute {name!r}")
    return found


def _sort_key(key: Any) -> tuple[Any, ...]:
    return tuple((v is None, str(type(v)), v) for v in (key if isinstance(key, tuple) else (key,)))


def by_sql(entity: type[Entity], args: tuple[Any, ...]) -> list[Any]:
    """``User.select_by_sql(sql, params)``, or 0.5.1's ``(db, sql, params)``."""
    if args and not isinstance(args[0], str):
        db, args = args[0], args[1:]
        session = current_session()
        if session.db is not None and session.db is not db:
            raise ValidationError(f"{entity.__name__}.select_by_sql(db, ...): the active "
                                  f"db_session is on another database")
    if not args or not isinstance(args[0], str) or len(args) > 2:
        raise ValidationError(f"{entity.__name__}.select_by_sql takes (sql, params=None)")
    sql, params = args[0], (args[1] if len(args) > 1 else None) or ()
    session = current_session()
    session.flush()
    info = session.info(entity)
    return session.materialize(info, raw_rows(session, info, sql, params))
