"""``jsontext.dumps_sorted`` writes what ``json.dumps(..., sort_keys=True, indent=2,
ensure_ascii=False)`` writes, byte for byte."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from nextorm.migrations.jsontext import dumps_sorted


def reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)


SCALARS = ["", "a", 'quote " and \\ back', "line\nbreak\ttab", "é ü 数据 \u2028 \x00 \x1f", "{[,]}",
           0, -1, 2**70, 1.5, -0.0, 1e300, 3.14159, math.inf, -math.inf, True, False, None]


def random_value(rnd: random.Random, depth: int = 0) -> Any:
    kind = rnd.randrange(5 if depth < 4 else 1)
    if kind == 0:
        return rnd.choice(SCALARS)
    if kind in (1, 2):
        return {rnd.choice(["a", "b", "é", "__x", "", "key \"q\"", "z9"]) + str(rnd.randrange(3)):
                random_value(rnd, depth + 1) for _ in range(rnd.randrange(4))}
    if kind == 3:
        return [random_value(rnd, depth + 1) for _ in range(rnd.randrange(4))]
    return tuple(random_value(rnd, depth + 1) for _ in range(rnd.randrange(3)))


@pytest.mark.parametrize("seed", range(200))
def test_random_values(seed):
    value = random_value(random.Random(seed))
    assert dumps_sorted(value) == reference(value)


def test_a_schema_snapshot():
    column = {"type": "str", "max_len": 255, "nullable": False, "default": "x"}
    tables = {f"t{n}": {"columns": {f"c{c}": dict(column) for c in range(5)},
                        "primary_key": ["id"], "indexes": {}, "uniques": {"u": {"columns": ["c1"]}},
                        "foreign_keys": {}} for n in range(5)}
    data = {"format": 1, "tables": tables, "history": [{"migration": "0001_x.py",
                                                        "before": {"t1": None}}]}
    assert dumps_sorted(data) == reference(data)


def test_nan_and_keys_that_are_not_strings_are_written_as_json_writes_them():
    for value in ({"a": math.nan}, {1: "one", 2: [1]}, {"x": {3: 1, 1: 2}}, {"y": {None: 1}}, {2.5: 1}):
        assert dumps_sorted(value) == reference(value)


def test_what_json_refuses_is_refused():
    with pytest.raises(TypeError):
        dumps_sorted({"a": object()})
    with pytest.raises(TypeError):
        dumps_sorted({1: 1, "a": 2})  # sorting mixed keys fails in json too
