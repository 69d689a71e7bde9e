"""Arithmetic in generator and lambda queries (``+ - * /`` and unary minus on numeric
attributes, as nextorm 0.5.1 translates them), without a server: the trees built and the
``DecompileError`` for what stays untranslatable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nextorm import DecompileError, Entity, Opt, Req
from nextorm.entity import DECLARED_ENTITIES
from nextorm.orm.decompile import generator_query, lambda_condition
from nextorm.orm.expressions import Arith, Compare


class Item(Entity):
    name: Req[str]
    qty: Req[int]
    price: Opt[float]
    cost: Opt[Decimal]
    done: Req[bool]


DECLARED_ENTITIES.remove(Item)  # for the translator only


def where(gen) -> str:
    return repr(generator_query(gen)[1])


def test_arithmetic_builds_arith_nodes_with_the_values_of_the_moment():
    x = 25
    assert where(i for i in Item if i.qty + 1 > x) == "(Item.qty + 1) > 25"
    assert where(i for i in Item if i.price * i.qty >= 10.5) == "(Item.price * Item.qty) >= 10.5"
    assert where(i for i in Item if 100 - i.qty < x) == "(100 - Item.qty) < 25"
    assert where(i for i in Item if i.qty / 2 == 3.5) == "(Item.qty / 2) = 3.5"
    assert where(i for i in Item if -i.qty < -3) == "(0 - Item.qty) < -3"
    assert where(i for i in Item if i.qty > i.price * 2 and not i.qty - 1 == 0) == \
        "(Item.qty > (Item.price * 2) AND NOT (Item.qty - 1) = 0)"
    assert where(i for i in Item if 1 <= i.qty * 2 < 9) == \
        "((Item.qty * 2) >= 1 AND (Item.qty * 2) < 9)"
    assert where(i for i in Item if i.qty + 1 in (2, 3)) == "(Item.qty + 1) IN [2, 3]"
    assert where(i for i in Item if i.cost * 2 is None) == "(Item.cost * 2) = None"
    x = 7
    cond = lambda_condition(lambda i: (i.qty + x) * 2 > 40, Item)
    assert isinstance(cond, Compare) and isinstance(cond.attr, Arith)
    assert repr(cond) == "((Item.qty + 7) * 2) > 40"


@pytest.mark.parametrize(("make", "text"), [
    (lambda: generator_query(i for i in Item if i.name + "x" == "ax"), r"i.name \+ 'x'"),
    (lambda: generator_query(i for i in Item if i.done + 1 > 1), "Item.done is bool"),
    (lambda: generator_query(i for i in Item if i.qty + "1" > 1), "takes numbers"),
    (lambda: generator_query(i for i in Item if i.qty // 2 > 1), r"i.qty // 2 > 1"),
    (lambda: generator_query(i for i in Item if i.qty % 2 == 0), r"i.qty % 2 == 0"),
    (lambda: generator_query(i for i in Item if abs(i.qty) > 1), r"abs\(i.qty\) > 1"),
    (lambda: generator_query(i for i in Item if len(i.name) > 1), r"len\(i.name\) > 1"),
    (lambda: generator_query(i for i in Item if i.name.lower() == "a"), r"i.name.lower\(\)"),
    (lambda: generator_query(i for i in Item if i.qty + 1), "is a number, not a condition"),
    (lambda: generator_query(i.qty + 1 for i in Item), r"i.qty \+ 1 for i in Item"),
])
def test_what_stays_untranslatable_names_the_text(make, text):
    with pytest.raises(DecompileError, match=text):
        make()
