"""The metaclass's shortcut for bare attributes (``c: Req[int]``) changes nothing.

``declarations.is_plain`` lets the metaclass skip ``normalise`` and ``check_attr`` for a bare
column of a plain type; these tests fail if either would ever change or refuse one.
"""

from __future__ import annotations

import pytest

from nextorm import Entity, Opt, Req
from nextorm.declarations import PLAIN_TYPES, check_attr, is_plain, normalise
from nextorm.fields import Attr, Composite, Marker


@pytest.mark.parametrize("kind", ["pk", "req", "opt"])
@pytest.mark.parametrize("py_type", sorted(PLAIN_TYPES, key=lambda t: t.__qualname__))
def test_a_plain_attribute_is_left_as_it_is_and_accepted(kind: str, py_type: type) -> None:
    attr = Attr(kind, py_type, name="c")
    assert is_plain(attr)
    normalised = normalise(Attr(kind, py_type, name="c"))
    assert normalised == attr
    check_attr("E", normalised)  # raises nothing


def test_options_or_other_kinds_are_not_plain() -> None:
    assert not is_plain(Attr("req", str, {"max_len": 10}))
    assert not is_plain(Attr("req", str, conflicts=("max_len=1 and max_len=2",)))
    assert not is_plain(Attr("single", str))
    assert not is_plain(Attr("req", "Post"))
    assert not is_plain(Attr("local", int))


def test_subscripted_markers_are_shared_and_never_changed() -> None:
    assert Req[str] is Req[str]
    before = (Req[str].options, Req[str].conflicts)

    class Shared(Entity):
        a: Req[str] = Req(max_len=5)
        b: Req[str] = "x"
        c: Opt[str]

    assert (Req[str].options, Req[str].conflicts) == before == ({}, ())
    assert Shared._attrs_["a"] is not Shared._attrs_["c"]
    assert Shared._attrs_["a"].options == {"max_len": 5}
    assert Shared._attrs_["c"].entity is Shared and Opt[str].entity is None


def test_records_compare_field_by_field() -> None:
    assert Attr("req", str) == Attr("req", str) and Attr("req", str) != Attr("req", int)
    key = Composite("key", ("a", "b"))
    assert key == Composite("key", ("a", "b")) and hash(key) == hash(Composite("key", ("a", "b")))
    assert repr(key) == "Composite(kind='key', attrs=('a', 'b'), name=None)"
    with pytest.raises(AttributeError):
        key.kind = "index"  # type: ignore[misc]
    assert isinstance(Req, Marker)


ANNOTATIONS = ["Req[str]", "Opt[dt.date]", "Opt[ dt . date | None ]", "Single['Node']",
               'Set["Node"]', "Single[Node]", "Single[Node | None]", "Set[Later]",
               "Single[Later | None]", "Req[Shadowed]", "Req[int]", "ClassVar[int]", "Local[dict]",
               "Req[None]", "Req[str](3)", "PK[int]", "Req[Decimal]"]


@pytest.mark.parametrize("text", ANNOTATIONS)
def test_simple_string_annotations_evaluate_as_eval_does(text: str) -> None:
    """``annotations.py`` reads ``Marker[name]`` strings without eval(); same result."""
    import datetime as dt
    from decimal import Decimal
    from typing import ClassVar

    from nextorm.annotations import AnnotationScope

    class Node:
        pass

    module_globals = {"dt": dt, "Decimal": Decimal, "ClassVar": ClassVar, "Req": Req,
                      "Shadowed": int, "__builtins__": __builtins__}
    ns = {"Shadowed": str}  # the class body wins over the module

    def result(evaluate: object) -> object:
        try:
            found = evaluate(text)  # type: ignore[operator]
        except Exception as error:  # noqa: BLE001 - the same error either way
            return type(error), str(error)
        return (found.kind, found.py_type, found.options) if isinstance(found, Attr) else found

    direct = AnnotationScope(Node, module_globals, ns)
    by_eval = AnnotationScope(Node, module_globals, ns)
    assert result(lambda t: direct._evaluate_text("a", t)) == result(
        lambda t: by_eval._eval("a", t))


def test_the_usual_forms_take_the_direct_path() -> None:
    from nextorm.annotations import _parse

    assert [text for text in ANNOTATIONS if _parse(text)] == [
        t for t in ANNOTATIONS if t not in ("Req[None]", "Req[str](3)")]
