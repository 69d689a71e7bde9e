"""Query expressions: ``User.name`` on the class, the conditions built from it, and orders.

``User.name == "ann"`` builds a ``Compare``; ``&``, ``|`` and ``~`` combine conditions.  These
classes are data only: ``sql.py`` renders them, so every SQL string of the runtime stays in one
module.  A ``Selection`` is what a query selects; ``Query`` (``query.py``) builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..entity import Entity, logical_type
from ..errors import ValidationError
from ..types import vector_problem

if TYPE_CHECKING:
    from ..mapping import Relation


class Condition:
    """A condition: combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()

    def __and__(self, other: Condition) -> Condition:
        return BoolOp("AND", self, other)

    def __or__(self, other: Condition) -> Condition:
        return BoolOp("OR", self, other)

    def __invert__(self) -> Condition:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError("use &, | and ~ to combine query conditions, not and/or/not")


class BoolOp(Condition):
    """``left AND right`` or ``left OR right``."""

    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Condition, right: Condition) -> None:
        self.op, self.left, self.right = op, left, right

    def __repr__(self) -> str:  # conditions read as text in errors and tests
        return f"({self.left!r} {self.op} {self.right!r})"


class Not(Condition):
    """``NOT inner``."""

    __slots__ = ("inner",)

    def __init__(self, inner: Condition) -> None:
        self.inner = inner

    def __repr__(self) -> str:
        return f"NOT {self.inner!r}"


class Compare(Condition):
    """``attr op value``: value is a Python value, None, a list (for IN), another attribute
    or arithmetic (``Arith``, which ``attr`` may be too)."""

    __slots__ = ("attr", "op", "value")

    def __init__(self, attr: Operand, op: str, value: Any) -> None:
        self.attr, self.op, self.value = attr, op, value

    def __repr__(self) -> str:
        return f"{self.attr!r} {self.op} {self.value!r}"


class Like(Condition):
    """A LIKE pattern on a text attribute; ``raw`` patterns are the user's own LIKE syntax.

    ``ignore_case`` compares both sides lower-cased (``ilike``), the same on every server.
    """

    __slots__ = ("attr", "pattern", "raw", "ignore_case")

    def __init__(self, attr: AttrExpr, pattern: str, raw: bool = False,
                 ignore_case: bool = False) -> None:
        self.attr, self.pattern, self.raw, self.ignore_case = attr, pattern, raw, ignore_case


class Always(Condition):
    """A constant condition: ``if x > 3`` in a generator is decided in Python, not in SQL."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value


class LinkedTo(Condition):
    """The row is linked to an owner object through a many-to-many relation's join table.

    ``owner_key`` returns the owner's key columns when the query runs (a new owner is inserted
    then, not when the query is built).
    """

    __slots__ = ("relation", "owner_key")

    def __init__(self, relation: Relation, owner_key: Callable[[], list[Any]]) -> None:
        self.relation, self.owner_key = relation, owner_key


class Order:
    """One ``ORDER BY`` item."""

    __slots__ = ("attr", "descending")

    def __init__(self, attr: Operand, descending: bool) -> None:
        self.attr, self.descending = attr, descending


def desc(attr: Operand) -> Order:
    """Descending order on ``attr`` (same as ``attr.desc()``)."""
    return Order(attr, True)


def _comparison(op: str) -> Callable[[Operand, Any], Condition]:
    """Return the operator that builds ``attr op value``."""

    def compare(self: Operand, value: Any) -> Condition:
        return Compare(self, op, value)

    return compare


#: The Python types arithmetic in a query accepts, as attributes' types and as constants.
NUMBERS = (int, float, Decimal)


def _arithmetic(op: str, reflected: bool = False) -> Callable[[Operand, Any], Arith]:
    """Return the operator that builds ``self op other`` (``other op self`` if reflected)."""

    def build(self: Operand, other: Any) -> Arith:
        self._check_number()
        if isinstance(other, Operand):
            other._check_number()
        elif isinstance(other, bool) or not isinstance(other, NUMBERS):
            raise TypeError(f"{self!r} {op} {other!r}: arithmetic in a query takes numbers")
        return Arith(other, op, self) if reflected else Arith(self, op, other)

    return build


class Operand:
    """What a query compares and computes with: an attribute or arithmetic on attributes.

    Comparisons build conditions (``User.age >= 18``), so ``==`` does not return a bool;
    ``+ - * /`` and unary ``-`` on numeric attributes build ``Arith`` (``u.age + 1 > x``).
    """

    __slots__ = ()
    __hash__ = object.__hash__

    __eq__ = _comparison("=")  # type: ignore[assignment]
    __ne__ = _comparison("<>")  # type: ignore[assignment]
    __lt__ = _comparison("<")
    __le__ = _comparison("<=")
    __gt__ = _comparison(">")
    __ge__ = _comparison(">=")
    is_ = __eq__  # ``attr.is_(None)``: IS NULL
    is_not = __ne__
    __add__, __radd__ = _arithmetic("+"), _arithmetic("+", reflected=True)
    __sub__, __rsub__ = _arithmetic("-"), _arithmetic("-", reflected=True)
    __mul__, __rmul__ = _arithmetic("*"), _arithmetic("*", reflected=True)
    __truediv__, __rtruediv__ = _arithmetic("/"), _arithmetic("/", reflected=True)

    def __neg__(self) -> Arith:
        self._check_number()
        return Arith(0, "-", self)

    def __pos__(self) -> Operand:
        self._check_number()
        return self

    def _check_number(self) -> None:
        """Arithmetic needs a numeric attribute (TypeError otherwise, as Python's own)."""

    def in_(self, values: Any) -> Condition:
        return Compare(self, "IN", list(values))

    def not_in(self, values: Any) -> Condition:
        return Not(self.in_(values))

    def is_null(self) -> Condition:
        return Compare(self, "=", None)

    def is_not_null(self) -> Condition:
        return Compare(self, "<>", None)

    def desc(self) -> Order:
        return Order(self, True)

    def asc(self) -> Order:
        return Order(self, False)


class Arith(Operand):
    """``left op right`` on numbers: each side an attribute, arithmetic or a constant.

    ``/`` is Python's true division on every server (``7 / 2`` is 3.5, never 3).
    """

    __slots__ = ("left", "op", "right")

    def __init__(self, left: Any, op: str, right: Any) -> None:
        self.left, self.op, self.right = left, op, right

    def __repr__(self) -> str:
        return f"({self.left!r} {self.op} {self.right!r})"

    def __bool__(self) -> bool:
        raise TypeError(f"{self!r} is a number, not a condition: compare it (> 0)")


class Distance(Operand):
    """A ``Vec`` attribute's distance to a vector (``Article.embedding.dist_l2(v)``): a
    number to compare or order by; ``kind`` is ``l2``, ``cosine`` or ``inner_product``."""

    __slots__ = ("attr", "kind", "vector")

    def __init__(self, attr: AttrExpr, kind: str, vector: Any) -> None:
        declared = attr._owner._attrs_[attr._name]
        if logical_type(declared.py_type) != "vector":
            raise TypeError(f"{attr!r} is not a Vec: dist_{kind} needs one")
        problem = vector_problem(vector, declared.opt("dimensions"))
        if problem is not None:
            raise ValidationError(f"{attr!r}.dist_{kind}(...): {problem}")
        self.attr, self.kind, self.vector = attr, kind, [float(x) for x in vector]

    def __repr__(self) -> str:
        return f"{self.attr!r}.dist_{self.kind}({self.vector!r})"


def _distance(kind: str) -> Callable[[AttrExpr, Any], Distance]:
    def distance(self: AttrExpr, vector: Any) -> Distance:
        return Distance(self, kind, vector)

    distance.__doc__ = f"The {kind} distance of this ``Vec`` attribute to ``vector``."
    return distance


class AttrExpr(Operand):
    """An entity attribute in a query, reached from ``root`` through Single relations."""


    def __init__(self, root: type[Entity], path: tuple[str, ...], owner: type[Entity],
                 name: str) -> None:
        self._root, self._path, self._owner, self._name = root, path, owner, name

    def __repr__(self) -> str:
        return ".".join((self._root.__name__, *self._path, self._name))

    def __getattr__(self, name: str) -> AttrExpr:
        if name.startswith("_"):
            raise AttributeError(name)
        attr = self._owner._attrs_.get(self._name)
        target = attr.py_type if attr is not None and attr.kind == "single" else None
        if not (isinstance(target, type) and issubclass(target, Entity)):
            raise AttributeError(f"{self!r} has no attribute {name!r}")
        if name not in target._attrs_:
            raise AttributeError(f"{target.__name__} has no attribute {name!r}")
        return AttrExpr(self._root, (*self._path, self._name), target, name)

    def _check_number(self) -> None:
        py_type = self._owner._attrs_[self._name].py_type
        if py_type is bool or not (isinstance(py_type, type) and issubclass(py_type, NUMBERS)):
            shown = getattr(py_type, "__name__", py_type)
            raise TypeError(f"{self!r} is {shown}: arithmetic in a query takes numbers")

    def like(self, pattern: str) -> Condition:
        """SQL LIKE (``%`` any text, ``_`` one character), case-sensitive everywhere."""
        return Like(self, pattern, raw=True)

    def ilike(self, pattern: str) -> Condition:
        """SQL LIKE ignoring case, everywhere (both sides lower-cased)."""
        return Like(self, pattern, raw=True, ignore_case=True)

    def startswith(self, prefix: str) -> Condition:
        return Like(self, escape_like(prefix) + "%")

    def endswith(self, suffix: str) -> Condition:
        return Like(self, "%" + escape_like(suffix))

    def contains(self, text: str) -> Condition:
        return Like(self, "%" + escape_like(text) + "%")

    dist_l2, dist_cosine = _distance("l2"), _distance("cosine")
    dist_inner_product = _distance("inner_product")  # negated: smaller is nearer


def attribute(entity: type[Entity], name: str) -> AttrExpr:
    """``entity.name`` as a query expression."""
    return AttrExpr(entity, (), entity, name)


def escape_like(text: str) -> str:
    """Escape LIKE's wildcards with ``!`` (the escape character ``sql.py`` declares)."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


class EntityVar:
    """The variable of a generator or lambda query (``u`` in ``u for u in User``).

    ``u.name`` is ``User.name``; ``u == obj`` and ``u in objs`` compare primary keys.
    """

    __slots__ = ("_entity",)

    def __init__(self, entity: type[Entity]) -> None:
        self._entity = entity

    def __repr__(self) -> str:
        return f"<the {self._entity.__name__} of a query>"

    def __getattr__(self, name: str) -> AttrExpr:
        if name.startswith("_") or name not in self._entity._attrs_:
            raise AttributeError(f"{self._entity.__name__} has no attribute {name!r}")
        return attribute(self._entity, name)

    def _key_condition(self, obj: Any, op: str) -> Condition:
        names = [a.name for a in self._entity._attrs_.values() if a.kind == "pk"] or [
            n for c in self._entity._composites_ if c.kind == "primary_key" for n in c.attrs]
        key = obj._key_() if isinstance(obj, Entity) else obj
        parts = (key,) if len(names) == 1 else tuple(key)
        found: Condition | None = None
        for name, part in zip(names, parts, strict=True):
            cond = Compare(attribute(self._entity, name), op, part)
            found = cond if found is None else BoolOp("OR" if op == "<>" else "AND", found, cond)
        assert found is not None
        return found

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return self._key_condition(other, "=")

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return self._key_condition(other, "<>")

    __hash__ = object.__hash__

    def in_(self, objs: Any) -> Condition:
        found: Condition = Always(False)
        for obj in objs:
            found = found | self._key_condition(obj, "=")
        return found


class Selection:
    """What a query selects: the entity, its conditions, its order and its window.

    ``distinct``, ``random`` (order), ``lock`` (``FOR UPDATE`` and its option), ``joins``
    (explicit ``(entity, on, kind)``), ``prefetch`` (relation names) and ``column`` (one
    attribute instead of the objects) are the rest of 0.5.1's QuerySet.
    """

    __slots__ = ("entity", "where", "order", "limit", "offset", "distinct", "random", "lock",
                 "joins", "prefetch", "column")

    def __init__(self, entity: type[Entity], where: tuple[Condition, ...] = (),
                 order: tuple[Order, ...] = (), limit: int | None = None,
                 offset: int | None = None, distinct: bool = False, random: bool = False,
                 lock: str | None = None, joins: tuple[Join, ...] = (),
                 prefetch: tuple[str, ...] = (), column: AttrExpr | None = None) -> None:
        self.entity, self.where, self.order = entity, where, order
        self.limit, self.offset = limit, offset
        self.distinct, self.random, self.lock = distinct, random, lock
        self.joins, self.prefetch, self.column = joins, prefetch, column

    def replace(self, **changes: Any) -> Selection:
        """A copy with the given parts replaced (``limit=None`` removes the limit)."""
        parts = {name: getattr(self, name) for name in self.__slots__}
        parts.update(changes)
        return Selection(**parts)


class Join:
    """An explicit ``join(Post, Post.author == User.id)``: the entity, the condition, the kind."""

    __slots__ = ("entity", "on", "kind")

    def __init__(self, entity: type[Entity], on: Condition, kind: str) -> None:
        self.entity, self.on, self.kind = entity, on, kind
