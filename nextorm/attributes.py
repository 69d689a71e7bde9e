"""Attribute descriptors: what ``user.name``, ``user.name = x`` and ``User.name`` do.

The entity metaclass installs one descriptor per declared attribute.  On an instance they read
and write the object's values (``obj._vals_``) and tell the session what changed; on the class
they return a query expression (``User.name == "ann"``).  This module imports no database code:
the ORM runtime (``nextorm/orm/``) is imported on first use, so declaring entities stays cheap.

An entity object keeps its state in four ``__dict__`` entries (``EntityObject`` names them for
the type checker): its values, its session, its status and its changed attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import SessionError, ValidationError
from .fields import Attr

if TYPE_CHECKING:
    from .entity import Entity
    from .orm.expressions import AttrExpr
    from .orm.relation_set import RelationSet
    from .orm.session import Session

    class EntityObject(Entity):
        """An entity instance as the runtime sees it: the state kept in its ``__dict__``.

        For type checking only: ``Entity`` does not declare these, the runtime sets them.
        """

        _vals_: dict[str, Any]  # attribute values; a Single holds the related object or key
        _session_: Session
        _status_: str  # one of the constants below
        _dirty_: set[str] | None  # attributes changed since the last flush

#: An object's status (``obj._status_``): not in the database yet, read or written, deleted,
#: or detached from its session by a rollback.
NEW, LOADED, DELETED, DETACHED = "new", "loaded", "deleted", "detached"


def session_of(obj: object) -> Session:
    """Return the active session ``obj`` belongs to; raise SessionError if it has ended."""
    session: Session | None = obj.__dict__.get("_session_")
    if session is None or not session.active:
        raise SessionError(f"{obj!r} belongs to a db_session that has ended; "
                           f"read it again inside the current one")
    if obj.__dict__["_status_"] == DETACHED:
        raise SessionError(f"{obj!r} was rolled back; read it again")
    return session


def _expression(owner: type[Entity], name: str) -> AttrExpr:
    from .orm.expressions import AttrExpr

    return AttrExpr(owner, (), owner, name)


class _Descriptor:
    """Base of the descriptors the metaclass installs: one per declared attribute."""

    def __init__(self, attr: Attr) -> None:
        self.attr = attr
        self.name = attr.name


class ColumnAttribute(_Descriptor):
    """A PK, Req or Opt attribute."""

    #: The value checker, built on first use (a class default: one object per attribute of
    #: every entity is made at import, so its constructor stays the base one).
    _check: Callable[[Any], Any] | None = None

    def checker(self) -> Callable[[Any], Any]:
        """The function that validates values of this attribute (built on first use)."""
        if self._check is None:
            from .orm.values import value_checker

            self._check = value_checker(self.attr)
        return self._check

    def check(self, value: Any) -> Any:
        return self.checker()(value)

    def __get__(self, obj: EntityObject | None, owner: type[Entity]) -> Any:
        if obj is None:
            return _expression(owner, self.name)
        try:
            return obj._vals_[self.name]
        except KeyError:
            if self.attr.opt("lazy") and obj.__dict__.get("_status_") == LOADED:
                session_of(obj).refresh(obj, [self.name])  # a lazy column: read it now
                return obj._vals_[self.name]
            raise AttributeError(f"{obj!r}.{self.name} is not loaded") from None

    def __set__(self, obj: EntityObject, value: Any) -> None:
        value = (self._check or self.checker())(value)
        if self.attr.kind == "pk" and obj._status_ != NEW:
            raise ValidationError(f"{obj!r}: the primary key {self.name} cannot be changed")
        if self.attr.opt("volatile") and obj._status_ != NEW:
            obj._vals_[self.name] = value  # the server maintains it: never in an UPDATE
            return
        _assign(obj, self.name, value, _same_value)


def _same_value(old: Any, new: Any) -> bool:
    return old is new or (type(old) is type(new) and old == new)


def _same_object(old: Any, new: Any) -> bool:
    return old is new


def _assign(obj: EntityObject, name: str, value: Any,
            unchanged: Callable[[Any, Any], bool]) -> None:
    """Store a value; on a row already in the database, mark the column for UPDATE at flush."""
    vals = obj._vals_
    if obj._status_ == NEW:
        vals[name] = value
        return
    session = session_of(obj)
    if obj._status_ == DELETED:
        raise SessionError(f"{obj!r} was deleted")
    if unchanged(vals.get(name), value):
        return
    session.mark_dirty(obj, name)  # before the store: it keeps the value read
    vals[name] = value


class SingleAttribute(_Descriptor):
    """A Single attribute: the related object, loaded on first access."""

    def checker(self) -> Callable[[Any], Any]:
        return self.check

    def check(self, value: Any) -> Any:
        target = self.attr.py_type
        if value is None or not hasattr(value, "_vals_"):
            return value  # None, or the key of the related object
        if isinstance(target, type) and not isinstance(value, target):
            raise ValidationError(f"{self.attr.entity.__name__}.{self.name}: expected "
                                  f"{target.__name__}, got {value!r}")
        return value

    def __get__(self, obj: EntityObject | None, owner: type[Entity]) -> Any:
        if obj is None:
            return _expression(owner, self.name)
        if not self.attr.stored:
            return self._owner_side(obj)
        value = obj._vals_.get(self.name)
        if value is None or hasattr(value, "_vals_"):
            return value
        related = session_of(obj).load(self.attr.py_type, value, required=False)
        obj._vals_[self.name] = related
        return related

    def __set__(self, obj: EntityObject, value: Any) -> None:
        value = self.check(value)
        if self.attr.stored:
            _assign(obj, self.name, value, _same_object)
            return
        old = self._owner_side(obj)  # one-to-one: the owner's key column changes
        key = self._reverse_name(obj)
        if old is not None and old is not value:
            setattr(old, key, None)
        if value is not None:
            setattr(value, key, obj)

    def _reverse_name(self, obj: EntityObject) -> str:
        """The owning side's attribute of a one-to-one whose other side holds no column."""
        reverse = session_of(obj).info(type(obj)).relations[self.name].reverse
        if reverse is None:
            raise SessionError(f"{self.attr!r}: the one-to-one's owning side is not mapped")
        return reverse.name

    def _owner_side(self, obj: EntityObject) -> Any:
        """The object on the owning side of a one-to-one that points at ``obj`` (or None)."""
        key = self._reverse_name(obj)  # the query flushes a new ``obj`` first, for its key
        found = self.attr.py_type.select().filter(**{key: obj}).fetch_all()
        return found[0] if found else None


class SetAttribute(_Descriptor):
    """A Set attribute: a live view of the related objects (see ``orm/relation_set.py``)."""

    def __get__(self, obj: EntityObject | None, owner: type) -> SetAttribute | RelationSet:
        if obj is None:
            return self
        from .orm.relation_set import RelationSet

        return RelationSet(obj, self.name)

    def __set__(self, obj: EntityObject, values: Any) -> None:
        from .orm.relation_set import RelationSet

        RelationSet(obj, self.name).replace(values)


class LocalAttribute(_Descriptor):
    """A Local attribute: kept on the object only, never stored."""

    def __get__(self, obj: object | None, owner: type) -> Any:
        if obj is None:
            return self
        local = obj.__dict__.setdefault("_local_", {})
        if self.name not in local:
            default = self.attr.opt("default")
            local[self.name] = default() if callable(default) else default
        return local[self.name]

    def __set__(self, obj: object, value: Any) -> None:
        check = self.attr.opt("py_check")
        if check is not None and not check(value):
            raise ValidationError(f"{type(obj).__name__}.{self.name}: {value!r} is refused by "
                                  f"py_check")
        obj.__dict__.setdefault("_local_", {})[self.name] = value


DESCRIPTORS: dict[str, type[_Descriptor]] = {
    "pk": ColumnAttribute, "req": ColumnAttribute, "opt": ColumnAttribute,
    "single": SingleAttribute, "set": SetAttribute, "local": LocalAttribute}


def install(cls: type) -> None:
    """Install a descriptor for each declared attribute of ``cls``."""
    attrs: dict[str, Attr] = cls.__dict__["_attrs_"]  # set by EntityMeta just before
    kinds = DESCRIPTORS
    for name, attr in attrs.items():
        setattr(cls, name, kinds[attr.kind](attr))
