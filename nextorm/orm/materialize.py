"""Rows -> objects: the read path of every query, through the session's identity map.

``Session.materialize`` hands its rows here.  Everything that does not change from row to row
is looked up once per result: the read plan (``rows.py``), whether the entity has subclasses
sharing its table (single-table inheritance: a row's class comes from its discriminator),
whether it defines ``after_load`` (``hooks.py``).  The loop then costs, per row, a dict of
its values, one lookup in the identity map and, for a row not seen yet, a new object.

Large results are built with Python's cyclic garbage collector paused (``collector_paused``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from ..attributes import DELETED, LOADED
from . import hooks

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from .layout import EntityInfo
    from .session import Session

#: Results of at least this many rows are built with the garbage collector paused.
PAUSE_GC_ROWS = 1000


def objects_of(session: Session, info: EntityInfo, rows: list[tuple[Any, ...]]) -> list[Any]:
    """The objects of rows of all the entity's columns (``info.read_plan``'s order).

    A row whose key the identity map holds gives that object, values untouched (the session
    keeps what it read and changed); a deleted one is left out.  The entity's ``after_load``
    runs once per new object, after all are built.
    """
    if len(rows) < PAUSE_GC_ROWS:
        found, loaded = _build(session, info, rows)
    else:
        with collector_paused():
            found, loaded = _build(session, info, rows)
    if loaded:
        hooks.call("after_load", loaded)
    return found


def _build(session: Session, info: EntityInfo, rows: list[tuple[Any, ...]]
           ) -> tuple[list[Any], list[EntityObject] | None]:
    """``(the objects of the rows, the new ones if the entity has after_load)``."""
    entity = info.entity
    imap = session.identity.setdefault(entity, {})
    plan = info.read_plan
    pk = info.pk_attrs[0] if len(info.pk_attrs) == 1 else None
    names: tuple[str, ...] | None = None
    source: Iterable[Any]
    at: Any  # where the key is: a column's index in a row, an attribute in a value dict
    if plan.plain and pk is not None:
        # The rows as they are: the key is a column; the values dict (a zip) is made only
        # for a row the identity map does not hold.
        plan.check_width(rows)
        source, at, names = rows, plan.names.index(pk), plan.names
    else:  # value dicts: the key is one of them, or key_of_row's
        source, at = plan.values_of(rows), pk
    key_of_row = info.key_of_row
    class_of = info.class_of if info.classes else None  # a subclass's row: its class
    # An instance without Entity.__init__ (which would create a new row); its state follows.
    new_object = cast("Callable[[type], EntityObject]", object.__new__)
    loaded: list[EntityObject] | None = [] if hooks.hook(entity, "after_load") else None
    as_attributes = info.state_as_attributes
    found: list[Any] = []
    append = found.append
    item: Any
    for item in source:
        key = item[at] if at is not None else key_of_row(item)
        obj = imap.get(key)
        if obj is None:
            vals = item if names is None else dict(zip(names, item))  # noqa: B905 (check_width)
            obj = new_object(entity if class_of is None else class_of(vals))
            if as_attributes:
                obj._vals_ = vals
                obj._session_ = session
                obj._status_ = LOADED
                obj._dirty_ = None
            else:
                obj.__dict__.update(_vals_=vals, _session_=session, _status_=LOADED,
                                    _dirty_=None)
            imap[key] = obj
            if loaded is not None:
                loaded.append(obj)
        elif obj._status_ == DELETED:
            continue
        append(obj)
    return found, loaded


def plain_setattr(*classes: type) -> bool:
    """True if none of ``classes`` defines ``__setattr__``: an object's state is then set as
    attributes, which CPython keeps inside the object (no ``__dict__`` object is made until
    something asks for it), a third less memory and half the objects for the garbage
    collector to walk.  A class of the user's with its own ``__setattr__`` gets its state
    in its ``__dict__``, without calling it."""
    return all(cls.__setattr__ is object.__setattr__ for cls in classes)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the objects of a large result are built.

    Every object built is kept (in the result and the identity map), so a collection in the
    middle can free none of them: it only walks them again.  Building 100,000 objects
    triggers many collections, the older generations walking every object made so far: half
    the time of a large read.  The collector is switched back on (if it was on) at the end;
    the next collection then walks the new objects once.  No user code runs while it is
    paused (``after_load`` runs after).  The switch is process-wide: another thread's cyclic
    garbage waits too, for the tenths of a second 100,000 objects take; a collector already
    off (``gc.disable()``) stays off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
