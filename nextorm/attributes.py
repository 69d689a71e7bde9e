"""Attribute descriptors: what ``user.name``, ``user.name = x`` and ``User.name`` do.

The entity metaclass installs one descriptor per declared attribute.  On an instance they read
and write the object's values (``obj._vals_``) and tell the session what changed; on the class
they return a query expression (``User.name == "ann"``).  This module imports no database code:
the session and query modules are imported on first use, so declaring entities stays cheap.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any

from .errors import SessionError, ValidationError
from .fields import Attr

#: The schema's length of a ``str`` attribute declared without ``max_len`` (schema/model.py).
DEFAULT_STR_LEN = 255

_NUMBERS = (int, float, Decimal)


def _checker(attr: Attr) -> Any:
    """Return a function that validates (and lightly coerces) values assigned to ``attr``."""
    from .entity import logical_type

    where = f"{attr.entity.__name__}.{attr.name}"
    ltype = logical_type(attr.py_type)
    empty_str = attr.kind == "opt" and ltype == "str" and not attr.opt("nullable", False)
    max_len = attr.opt("max_len", DEFAULT_STR_LEN) if ltype == "str" else None
    py_type = attr.py_type

    def bad(value: Any) -> ValidationError:
        shown = getattr(py_type, "__name__", str(py_type))
        return ValidationError(f"{where}: expected {shown}, got {type(value).__name__} "
                               f"{value!r}")

    def check(value: Any) -> Any:
        if value is None:
            return "" if empty_str else None
        if ltype == "str":
            if not isinstance(value, str):
                raise bad(value)
            if max_len is not None and len(value) > max_len:
                raise ValidationError(f"{where}: {len(value)} characters is longer than "
                                      f"max_len={max_len}")
        elif ltype == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad(value)
        elif ltype == "float":
            if isinstance(value, bool) or not isinstance(value, _NUMBERS):
                raise bad(value)
            value = float(value)
        elif ltype == "bool":
            if not isinstance(value, bool):
                raise bad(value)
        elif ltype == "decimal":
            if isinstance(value, bool) or not isinstance(value, _NUMBERS + (str,)):
                raise bad(value)
            value = value if isinstance(value, Decimal) else Decimal(str(value))
        elif ltype == "enum":
            try:
                value = py_type(value.value if isinstance(value, enum.Enum) else value)
            except ValueError:
                raise bad(value) from None
        elif ltype == "uuid":
            if isinstance(value, str):
                value = uuid.UUID(value)
            elif not isinstance(value, uuid.UUID):
                raise bad(value)
        elif ltype == "datetime":
            if not isinstance(value, dt.datetime):
                raise bad(value)
        elif ltype == "date":
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise bad(value)
        elif ltype == "time":
            if not isinstance(value, dt.time):
                raise bad(value)
        elif ltype == "bytes":
            if not isinstance(value, bytes | bytearray | memoryview):
                raise bad(value)
            value = bytes(value)
        return value

    return check


def session_of(obj: Any) -> Any:
    """Return the active session ``obj`` belongs to; raise SessionError if it has ended."""
    session = obj.__dict__.get("_session_")
    if session is None or not session.active:
        raise SessionError(f"{obj!r} belongs to a db_session that has ended; "
                           f"read it again inside the current one")
    if obj._status_ == "detached":
        raise SessionError(f"{obj!r} was rolled back; read it again")
    return session


def _expression(owner: type, name: str) -> Any:
    from .query import AttrExpr

    return AttrExpr(owner, (), owner, name)


class _Descriptor:
    """Base of the descriptors the metaclass installs: one per declared attribute."""

    def __init__(self, attr: Attr) -> None:
        self.attr = attr
        self.name = attr.name


class ColumnAttribute(_Descriptor):
    """A PK, Req or Opt attribute."""

    def __init__(self, attr: Attr) -> None:
        super().__init__(attr)
        self._check: Any = None

    def checker(self) -> Any:
        """The function that validates values of this attribute."""
        if self._check is None:
            self._check = _checker(self.attr)
        return self._check

    def check(self, value: Any) -> Any:
        return self.checker()(value)

    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return _expression(owner, self.name)
        try:
            return obj._vals_[self.name]
        except KeyError:
            raise AttributeError(f"{obj!r}.{self.name} is not loaded") from None

    def __set__(self, obj: Any, value: Any) -> None:
        value = self.check(value)
        if self.attr.kind == "pk" and obj._status_ != "new":
            raise ValidationError(f"{obj!r}: the primary key {self.name} cannot be changed")
        _assign(obj, self.name, value,
                lambda old, new: old is new or (type(old) is type(new) and old == new))


def _assign(obj: Any, name: str, value: Any, unchanged: Any) -> None:
    """Store a value; on a row already in the database, mark the column for UPDATE at flush."""
    vals = obj._vals_
    if obj._status_ == "new":
        vals[name] = value
        return
    session = session_of(obj)
    if obj._status_ == "deleted":
        raise SessionError(f"{obj!r} was deleted")
    if unchanged(vals.get(name), value):
        return
    vals[name] = value
    session.mark_dirty(obj, name)


class SingleAttribute(_Descriptor):
    """A Single attribute: the related object, loaded on first access."""


    def checker(self) -> Any:
        return self.check

    def check(self, value: Any) -> Any:
        target = self.attr.py_type
        if value is None or not hasattr(value, "_vals_"):
            return value  # None, or the key of the related object
        if isinstance(target, type) and not isinstance(value, target):
            raise ValidationError(f"{self.attr.entity.__name__}.{self.name}: expected "
                                  f"{target.__name__}, got {value!r}")
        return value

    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return _expression(owner, self.name)
        value = obj._vals_.get(self.name)
        if value is None or hasattr(value, "_vals_"):
            return value
        related = session_of(obj).load(self.attr.py_type, value, required=False)
        obj._vals_[self.name] = related
        return related

    def __set__(self, obj: Any, value: Any) -> None:
        _assign(obj, self.name, self.check(value), lambda old, new: old is new)


class SetAttribute(_Descriptor):
    """A Set attribute: a live view of the related objects (see ``RelationSet``)."""


    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        return RelationSet(obj, self.name)

    def __set__(self, obj: Any, values: Any) -> None:
        RelationSet(obj, self.name).replace(values)


class LocalAttribute(_Descriptor):
    """A Local attribute: kept on the object only, never stored."""


    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        local = obj.__dict__.setdefault("_local_", {})
        if self.name not in local:
            default = self.attr.opt("default")
            local[self.name] = default() if callable(default) else default
        return local[self.name]

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__.setdefault("_local_", {})[self.name] = value


DESCRIPTORS = {"pk": ColumnAttribute, "req": ColumnAttribute, "opt": ColumnAttribute,
               "single": SingleAttribute, "set": SetAttribute, "local": LocalAttribute}


def install(cls: type) -> None:
    """Install a descriptor for each declared attribute of ``cls``."""
    for attr in cls._attrs_.values():  # type: ignore[attr-defined]
        setattr(cls, attr.name, DESCRIPTORS[attr.kind](attr))


class RelationSet:
    """``user.posts``: iterate, ``len``, ``count()``, ``add``, ``remove``, ``select()``."""

    def __init__(self, owner: Any, name: str) -> None:
        self.owner = owner
        self.name = name

    def _relation(self) -> tuple[Any, Any]:
        session = session_of(self.owner)
        return session, session.info(type(self.owner)).relations[self.name]

    def select(self) -> Any:
        """Return a query of the related objects (filter, order and count it further)."""
        from .query import AttrExpr, Compare, Query, Raw

        session, rel = self._relation()
        if rel.kind == "one_to_many":
            reverse = AttrExpr(rel.target, (), rel.target, rel.reverse.name)
            return Query(rel.target).filter(Compare(reverse, "=", self.owner))
        owner = self.owner

        def linked(ctx: Any) -> str:
            q = ctx.quote
            alias, info = ctx.aliases[()]
            target_cols = [c for name in info.pk_attrs for c in info.attrs[name].quoted]
            on = [f"j.{q(jc)} = {alias}.{tc}"
                  for jc, tc in zip(rel.join_target_columns, target_cols, strict=True)]
            on += [f"j.{q(jc)} = ?" for jc in rel.join_columns]
            ctx.params.extend(session.key_columns(owner))
            return f"EXISTS (SELECT 1 FROM {q(rel.join_table)} j WHERE {' AND '.join(on)})"

        return Query(rel.target).filter(Raw(linked))

    def __iter__(self) -> Any:
        return iter(self.select().fetch_all())

    def __len__(self) -> int:
        return self.select().count()

    def count(self) -> int:
        return self.select().count()

    def is_empty(self) -> bool:
        return not self.select().exists()

    def __contains__(self, obj: Any) -> bool:
        return any(o is obj for o in self)

    def _items(self, items: Any) -> list[Any]:
        items = [items] if hasattr(items, "_vals_") else list(items)
        session, rel = self._relation()
        for item in items:
            if not isinstance(item, rel.target):
                raise ValidationError(f"{type(self.owner).__name__}.{self.name} holds "
                                      f"{rel.target.__name__} objects, not {item!r}")
        return items

    def add(self, items: Any) -> None:
        """Add one object or several."""
        session, rel = self._relation()
        for item in self._items(items):
            if rel.kind == "one_to_many":
                setattr(item, rel.reverse.name, self.owner)
            else:
                session.links.append(("add", rel, self.owner, item))

    def remove(self, items: Any) -> None:
        """Remove one object or several (a required reverse Single cannot be emptied)."""
        session, rel = self._relation()
        for item in self._items(items):
            if rel.kind == "one_to_many":
                if not rel.reverse.opt("nullable", False):
                    raise ValidationError(
                        f"cannot remove {item!r} from {type(self.owner).__name__}.{self.name}: "
                        f"{rel.target.__name__}.{rel.reverse.name} is required; delete it "
                        f"or give it another {type(self.owner).__name__}")
                if getattr(item, rel.reverse.name) is self.owner:
                    setattr(item, rel.reverse.name, None)
            else:
                session.links.append(("remove", rel, self.owner, item))

    def clear(self) -> None:
        self.remove(list(self))

    def replace(self, items: Any) -> None:
        new = self._items(items)
        self.remove([o for o in self if not any(o is n for n in new)])
        self.add(new)

    def __repr__(self) -> str:
        return f"<{self.owner!r}.{self.name}>"
