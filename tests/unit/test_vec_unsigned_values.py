"""The values a migration gives existing rows of a ``Vec`` or an unsigned int, and their SQL.

A value typed at makemigrations' question or given with ``--default`` is checked before it
goes into a file: a vector must have the column's length (a PostgreSQL CHECK, or the ORM on
the other servers, would refuse it later), an unsigned int must not be below 0.
"""

from __future__ import annotations

import pytest

from nextorm.dialects import get_dialect
from nextorm.dialects.conversions import conversion, type_words
from nextorm.migrations.values import coerce
from nextorm.schema.operations.columns import fill_value

VEC = {"type": "vector", "dimensions": 3, "nullable": False}
UNSIGNED = {"type": "int", "unsigned": True, "nullable": False}


@pytest.mark.parametrize("given", ["[1, 0.5, -2]", [1, 0.5, -2], {"json": [1, 0.5, -2]}])
def test_a_vector_value_becomes_its_floats(given):
    assert coerce(given, VEC) == [1.0, 0.5, -2.0]


@pytest.mark.parametrize("given", ["[1, 2]", "1,2,3", "[1, 2, nan]", ["a", 1, 2], 3])
def test_a_wrong_vector_value_is_refused_saying_what_fits(given):
    with pytest.raises(ValueError, match="is not a list of 3 floats"):
        coerce(given, VEC)


def test_an_unsigned_value_below_zero_is_refused():
    assert coerce("7", UNSIGNED) == 7
    with pytest.raises(ValueError, match="'-1' is not an integer of 0 or more"):
        coerce("-1", UNSIGNED)


def test_vector_literals_are_what_each_server_stores():
    assert get_dialect("postgres").literal([0, 0.5]) == "'{0.0,0.5}'"
    assert get_dialect("sqlite").literal([0, 0.5]) == "'[0.0, 0.5]'"
    assert get_dialect("mysql").literal([0, 0.5]) == "'[0.0, 0.5]'"


def test_a_dropped_vec_comes_back_as_its_default_or_zeros():
    assert fill_value(VEC) == [0.0, 0.0, 0.0]
    assert fill_value({**VEC, "default": {"json": [1, 2, 3]}}) == [1.0, 2.0, 3.0]


def test_only_changes_of_unsigned_or_dimensions_are_checked():
    signed = {"type": "int", "nullable": False}
    assert conversion(signed, UNSIGNED).problem == "hold numbers below 0"
    assert conversion(UNSIGNED, signed).problem == "hold numbers too large for a signed int"
    assert conversion(UNSIGNED, UNSIGNED).converts is None
    assert conversion(VEC, {**VEC, "nullable": True}).converts is None
    wider = conversion(VEC, {**VEC, "dimensions": 4})
    assert wider.problem == "hold vectors that are not 4 floats long"
    assert wider.converts(get_dialect("postgres"), '"v"') == 'cardinality("v") = 4'
    assert (type_words(UNSIGNED), type_words(VEC)) == ("unsigned int", "Vec[3]")
