"""The generator/lambda translator (``orm/decompile.py``, ``orm/source.py``), without a server:
the condition trees it builds, where it finds the source, its cache and its errors."""

from __future__ import annotations

import pytest

from nextorm import DecompileError, Entity, Opt, Req, Set, Single
from nextorm.entity import DECLARED_ENTITIES
from nextorm.orm import decompile
from nextorm.orm.decompile import generator_query, lambda_condition, lambda_value, translation
from nextorm.orm.expressions import Always, BoolOp, Compare, Like, Not, Order


class Person(Entity):
    name: Req[str]
    age: Opt[int]
    active: Req[bool]
    notes: Set["Note"]


class Note(Entity):
    text: Req[str]
    person: Single[Person]


# Declared for the translator only: never discovered by a Database(entities=None) elsewhere.
DECLARED_ENTITIES.remove(Person)
DECLARED_ENTITIES.remove(Note)

def shown(cond) -> str:
    """A condition tree as text, to compare whole trees at once."""
    if isinstance(cond, BoolOp):
        return f"({shown(cond.left)} {cond.op} {shown(cond.right)})"
    if isinstance(cond, Not):
        return f"NOT {shown(cond.inner)}"
    if isinstance(cond, Compare):
        return f"{cond.attr!r} {cond.op} {cond.value!r}"
    if isinstance(cond, Like):
        return f"{cond.attr!r} {'ILIKE' if cond.ignore_case else 'LIKE'} {cond.pattern!r}"
    if isinstance(cond, Always):
        return str(cond.value).upper()
    return repr(cond)


def where(gen) -> str:
    return shown(generator_query(gen)[1])


def test_boolean_operators_comparisons_and_methods():
    assert where(p for p in Person if p.age > 18 and p.name.startswith("A")) == \
        "(Person.age > 18 AND Person.name LIKE 'A%')"
    assert where(p for p in Person if p.age < 3 or not p.name == "x") == \
        "(Person.age < 3 OR NOT Person.name = 'x')"
    assert where(p for p in Person if 18 <= p.age < 30) == \
        "(Person.age >= 18 AND Person.age < 30)"
    assert where(p for p in Person if p.age > 1 if p.active) == \
        "(Person.age > 1 AND Person.active = True)"
    assert where(p for p in Person if p.name.ilike("a%")) == "Person.name ILIKE 'a%'"


def test_in_is_and_relations():
    names = ("ann", "bob")
    assert where(p for p in Person if p.name in names) == "Person.name IN ['ann', 'bob']"
    assert where(p for p in Person if p.name not in names) == \
        "NOT Person.name IN ['ann', 'bob']"
    assert where(p for p in Person if "nn" in p.name) == "Person.name LIKE '%nn%'"
    assert where(p for p in Person if p.age is None) == "Person.age = None"
    assert where(p for p in Person if p.age is not None) == "Person.age <> None"
    assert where(n for n in Note if n.person.name == "ann") == "Note.person.name = 'ann'"


def test_generator_parts():
    entity, cond, column = generator_query(n.person.name for n in Note)
    assert entity is Note and cond is None and repr(column) == "Note.person.name"
    entity, cond, column = generator_query(p for p in Person)
    assert entity is Person and cond is None and column is None


def test_python_values_follow_python_semantics():
    flag, limit = False, None
    assert where(p for p in Person if flag) == "FALSE"
    assert generator_query(p for p in Person if not flag)[1] is None  # always true
    # ``limit is None`` decides the ``or``: ``p.age > None`` is never built
    assert generator_query(p for p in Person if limit is None or p.age > limit)[1] is None
    assert where(p for p in Person if limit is not None and p.age > limit) == "FALSE"


def test_free_variables_closures_and_globals_are_rebound_per_call():
    def adults(minimum):
        return where(p for p in Person if p.age >= minimum and p.name != EXCLUDED)

    assert adults(18) == "(Person.age >= 18 AND Person.name <> 'nobody')"
    assert adults(21) == "(Person.age >= 21 AND Person.name <> 'nobody')"


EXCLUDED = "nobody"


def test_one_translation_per_code_object():
    def query(n):
        return p_gen(n)

    def p_gen(n):
        return (p for p in Person if p.age > n)

    first, second = p_gen(1), p_gen(2)
    assert first.gi_code is second.gi_code
    assert translation(first.gi_code) is translation(second.gi_code)
    assert shown(generator_query(query(5))[1]) == "Person.age > 5"
    assert first.gi_code in decompile._CACHE


def test_lambdas():
    low = 3
    assert shown(lambda_condition(lambda p: p.age > low and p.active, Person)) == \
        "(Person.age > 3 AND Person.active = True)"
    assert shown(lambda_condition(lambda p, x=7: p.age == x, Person)) == "Person.age = 7"
    assert lambda_condition(lambda p: True, Person) is None
    name, age = lambda_value(lambda p: (p.name, p.age.desc()), Person)
    assert repr(name) == "Person.name" and isinstance(age, Order) and age.descending


def test_two_lambdas_on_one_line_are_told_apart():
    first, second = (lambda p: p.age > 1), (lambda p: p.age < 2)
    assert shown(lambda_condition(first, Person)) == "Person.age > 1"
    assert shown(lambda_condition(second, Person)) == "Person.age < 2"


def test_untranslatable_constructs_raise_decompile_error_naming_the_text():
    with pytest.raises(DecompileError, match=r"len\(p.name\) == 3"):
        generator_query(p for p in Person if len(p.name) == 3)
    with pytest.raises(DecompileError, match=r"p.name.upper\(\)"):
        generator_query(p.name.upper() for p in Person)
    with pytest.raises(DecompileError, match="one 'for'"):
        generator_query(p for p in Person for n in Note)
    with pytest.raises(DecompileError, match="collection"):
        generator_query(p for p in Person if p.notes)
    with pytest.raises(DecompileError, match="defined with def"):
        def predicate(p):
            return p.age > 1
        lambda_condition(predicate, Person)
    with pytest.raises(NameError, match="'undefined_name'"):
        lambda_condition(lambda p: p.age > undefined_name, Person)  # noqa: F821
    gen = (p for p in Person)
    list(zip(range(0), gen, strict=False))
    with pytest.raises(TypeError, match="iterated outside a query"):
        next(gen)


def test_code_without_source_is_refused_clearly():
    namespace = {"Person": Person}
    exec(compile("gen = (p for p in Person if p.age > 1)", "<typed>", "exec"), namespace)
    with pytest.raises(DecompileError, match="cannot read the source"):
        generator_query(namespace["gen"])
