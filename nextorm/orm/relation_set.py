"""``user.posts``: the live set of objects a ``Set`` attribute relates to its owner.

Reading it runs a query (``select()``, or the objects ``query.prefetch`` read while they are
current, ``prefetch.py``); changing it changes the related objects' ``Single`` (one-to-many)
or records join-table links the session writes at flush (many-to-many).  0.5.1's collection
methods (``filter``, ``where``, ``order_by``, ``page``, ``random``, ``select(pred)``) return a
``Query`` of the related objects; ``load()`` and ``copy()`` read them now.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from ..attributes import session_of
from ..errors import MappingError, NextORMError, ValidationError
from .expressions import Compare, LinkedTo, attribute
from .prefetch import prefetched
from .query import Query

if TYPE_CHECKING:
    from ..attributes import EntityObject
    from ..fields import Attr
    from ..mapping import Relation
    from .layout import EntityInfo
    from .session import Session


class RelationSet:
    """``user.posts``: iterate, ``len``, ``count()``, ``add``, ``remove``, ``select()``."""

    def __init__(self, owner: EntityObject, name: str) -> None:
        self.owner = owner
        self.name = name

    def _relation(self) -> tuple[Session, Relation]:
        session = session_of(self.owner)
        return session, set_relation(session.info(type(self.owner)), self.name)

    def select(self, *conditions: Any, **values: Any) -> Query:
        """A query of the related objects, filtered by ``conditions`` (a lambda, ``Post.x >
        1``) and ``name=value``; filter, order and count it further."""
        session, rel = self._relation()
        if rel.kind == "one_to_many":
            reverse = attribute(rel.target, _reverse(rel).name)
            query = Query(rel.target).filter(Compare(reverse, "=", self.owner))
        else:
            query = Query(rel.target).filter(
                LinkedTo(rel, partial(session.key_params, self.owner)))
        return query.filter(*conditions, **values) if conditions or values else query

    filter = select

    def where(self, predicate: Any) -> Query:
        """The related objects ``predicate`` (a lambda or a condition) keeps."""
        return self.select(predicate)

    def order_by(self, *items: Any) -> Query:
        return self.select().order_by(*items)

    def page(self, pagenum: int, pagesize: int = 10) -> Query:
        return self.select().page(pagenum, pagesize)

    def random(self, n: int) -> Query:
        return self.select().random(n)

    def load(self) -> list[Any]:
        """The related objects, read now."""
        session, _ = self._relation()
        found = prefetched(self.owner, self.name, session)
        return self.select().fetch_all() if found is None else found

    def copy(self) -> set[Any]:
        """The related objects as a plain set."""
        return set(self.load())

    def create(self, **values: Any) -> Any:
        """Create a related object: ``user.posts.create(title="x")`` sets its author."""
        session, rel = self._relation()
        if rel.kind == "one_to_many":
            return rel.target(**{_reverse(rel).name: self.owner, **values})
        obj = rel.target(**values)
        self.add(obj)
        return obj

    def __iter__(self) -> Iterator[Any]:
        return iter(self.load())

    def __len__(self) -> int:
        return self.count()

    def count(self) -> int:
        session, _ = self._relation()
        found = prefetched(self.owner, self.name, session)
        return self.select().count() if found is None else len(found)

    def is_empty(self) -> bool:
        return self.count() == 0 if self._is_prefetched() else not self.select().exists()

    def _is_prefetched(self) -> bool:
        return prefetched(self.owner, self.name, self._relation()[0]) is not None

    def __contains__(self, obj: object) -> bool:
        return any(o is obj for o in self)

    def _items(self, items: Any) -> list[Any]:
        """One object or several, checked to be of the related entity."""
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
                setattr(item, _reverse(rel).name, self.owner)
            else:
                session.link(rel, self.owner, item)

    def remove(self, items: Any) -> None:
        """Remove one object or several (a required reverse Single cannot be emptied)."""
        session, rel = self._relation()
        for item in self._items(items):
            if rel.kind == "one_to_many":
                reverse = _reverse(rel)
                if not reverse.opt("nullable", False):
                    raise ValidationError(
                        f"cannot remove {item!r} from {type(self.owner).__name__}.{self.name}: "
                        f"{rel.target.__name__}.{reverse.name} is required; delete it "
                        f"or give it another {type(self.owner).__name__}")
                if getattr(item, reverse.name) is self.owner:
                    setattr(item, reverse.name, None)
            else:
                session.unlink(rel, self.owner, item)

    def clear(self) -> None:
        """Remove every related object."""
        self.remove(list(self))

    def replace(self, items: Iterable[Any]) -> None:
        """Make the set hold exactly ``items``."""
        new = self._items(items)
        self.remove([o for o in self if not any(o is n for n in new)])
        self.add(new)

    def drop_table(self, *, with_all_data: bool = False) -> None:
        """Drop a many-to-many relation's join table (nextorm 0.5.1), in the session's
        transaction after its pending changes; a table holding links is refused unless
        ``with_all_data=True``.  A one-to-many relation has no table of its own."""
        session, rel = self._relation()
        owner = type(self.owner).__name__
        if rel.join_table is None:
            raise ValidationError(f"{owner}.{self.name}.drop_table(): a one-to-many relation "
                                  f"has no join table; its rows are {rel.target.__name__}'s")
        session.flush()
        table = session.dialect.quote(rel.join_table)
        if not with_all_data and session.execute(f"SELECT 1 FROM {table} LIMIT 1"):
            raise NextORMError(f"table {rel.join_table!r} of {owner}.{self.name} holds rows: "
                               f"pass with_all_data=True to drop it anyway")
        session.execute_dml(f"DROP TABLE {table}")

    def __repr__(self) -> str:
        return f"<{self.owner!r}.{self.name}>"


def set_relation(info: EntityInfo, name: str) -> Relation:
    """The relation of a ``Set``; one that ``generate_mapping(validate_relations=False)`` left
    without counterpart has none."""
    rel = info.relations.get(name)
    if rel is None:
        raise MappingError(f"{info.entity.__name__}.{name} has no counterpart on its target, "
                           f"so it is not stored (mapped with validate_relations=False); "
                           f"declare a Single or Set back to {info.entity.__name__}")
    return rel


def _reverse(rel: Relation) -> Attr:
    """The Single on the target that holds a one-to-many relation's columns."""
    if rel.reverse is None:
        raise ValidationError(f"{rel.attr!r} has no reverse attribute")
    return rel.reverse
