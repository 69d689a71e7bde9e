"""``Vec`` declarations, converters and the SessionCache name, with no server."""

from __future__ import annotations

import math

import pytest

import nextorm
from nextorm import PK, DeclarationError, Entity, Opt, Req, Vec
from nextorm.convert import converters
from nextorm.declarations import logical_type
from nextorm.dialects import get_dialect
from nextorm.schema.model import _column
from nextorm.types import DISTANCES, vector_problem


def test_both_spellings_declare_the_same_column() -> None:
    class Doc(Entity):
        id: PK[int]
        a: Req[Vec[384]]
        b: Req[Vec] = Req(dimensions=384)
        c: Opt[Vec[2]]

    a, b, c = (Doc._attrs_[n] for n in "abc")
    assert logical_type(a.py_type) == logical_type(b.py_type) == "vector"
    assert _column(a, True) == _column(b, True) == {"type": "vector", "nullable": False,
                                                    "dimensions": 384}
    assert _column(c, True) == {"type": "vector", "nullable": True, "dimensions": 2}
    assert Vec[384] is Vec[384]


@pytest.mark.parametrize(("declare", "message"), [
    (lambda: Req[Vec], "Doc.e: a Vec needs its length: Vec\\[384\\] or dimensions=384"),
    (lambda: Req[Vec](dimensions=0), "a Vec needs its length"),
    (lambda: Req[Vec[3]](dimensions=4), "conflicting options Vec\\[3\\] and dimensions=4"),
    (lambda: Req[str](dimensions=3), "dimensions applies only to Vec attributes, not str"),
])
def test_declaration_mistakes_name_the_attribute(declare, message) -> None:
    with pytest.raises(DeclarationError, match=message):
        type("Doc", (Entity,), {"__annotations__": {"e": declare()}, "__module__": __name__})


def test_a_length_must_be_a_positive_integer() -> None:
    with pytest.raises(DeclarationError, match="Vec\\['3'\\]"):
        Vec["3"]  # type: ignore[index]


def test_what_a_vector_value_may_be() -> None:
    assert vector_problem([1, 2.5, -3], 3) is None
    assert vector_problem((1.0, 2.0), 2) is None
    assert vector_problem([1.0], 2) == "expected 2 floats, got 1"
    assert "not a number" in vector_problem([1.0, None], 2)
    assert "finite" in vector_problem([1.0, math.inf], 2)


def test_vectors_are_stored_as_each_server_says() -> None:
    forms = {p: get_dialect(p).value_forms for p in ("sqlite", "postgres", "mysql")}
    to_db, from_db = converters(None, "vector", {}, forms["sqlite"])
    assert to_db([1, 2.5]) == "[1.0, 2.5]"
    assert from_db("[1.0, 2.5]") == [1.0, 2.5]
    to_db, from_db = converters(None, "vector", {}, forms["postgres"])
    assert to_db([1, 2.5]) == [1.0, 2.5] and from_db is None
    assert converters(None, "vector", {}, forms["mysql"])[0]([3]) == "[3.0]"


def test_the_python_distances() -> None:
    a, b = [3.0, 0.0], [0.0, 4.0]
    assert DISTANCES["l2"](a, b) == 5.0
    assert DISTANCES["cosine"](a, b) == 1.0
    assert DISTANCES["cosine"]([0.0, 0.0], b) is None
    assert DISTANCES["inner_product"]([1.0, 2.0], [3.0, 4.0]) == -11.0


def test_session_cache_is_the_session() -> None:
    from nextorm.orm.session import Session

    assert nextorm.SessionCache is Session
    assert "SessionCache" in nextorm.__all__ and "Vec" in nextorm.__all__
