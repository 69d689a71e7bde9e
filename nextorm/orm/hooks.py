"""Lifecycle hooks: the methods an entity class may define, called by the session.

As in nextorm 0.5.1, an entity class may define any of::

    before_insert  after_insert  before_update  after_update
    before_delete  after_delete  after_load

- ``before_insert`` / ``before_update`` run at flush, before the statements are built, so the
  values they assign are written (and an assignment in ``before_update`` adds its column).
- ``after_insert`` / ``after_update`` run after the row is written (the auto key is set).
- ``before_delete`` / ``after_delete`` run around ``obj.delete()``'s DELETE.
- ``after_load`` runs once per object read from the database (not for an object the identity
  map already holds, nor for one this session created).

Which hooks a class defines is found once per class: an entity without hooks costs the
flush and the reads one dictionary lookup per batch, not per object.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

HOOK_NAMES = ("before_insert", "after_insert", "before_update", "after_update",
              "before_delete", "after_delete", "after_load")

_FOUND: weakref.WeakKeyDictionary[type, dict[str, Callable[[Any], Any]]] = \
    weakref.WeakKeyDictionary()


def hook(entity: type, name: str) -> Callable[[Any], Any] | None:
    """The ``name`` hook the entity class defines (itself or a base), or None."""
    found = _FOUND.get(entity)
    if found is None:
        found = _FOUND[entity] = _defined_hooks(entity)
    return found.get(name)


def _defined_hooks(entity: type) -> dict[str, Callable[[Any], Any]]:
    from ..entity import Entity  # a no-op default on the base class is not a hook

    found = {}
    for name in HOOK_NAMES:
        function = getattr(entity, name, None)
        if callable(function) and function is not getattr(Entity, name, None):
            found[name] = function
    return found


def call(name: str, objects: Iterable[Any]) -> None:
    """Call the ``name`` hook of each object whose class defines it, in the given order."""
    last_type: type | None = None
    function: Callable[[Any], Any] | None = None
    for obj in objects:
        if type(obj) is not last_type:
            last_type = type(obj)
            function = hook(last_type, name)
        if function is not None:
            function(obj)
