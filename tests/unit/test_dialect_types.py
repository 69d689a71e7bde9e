"""Each dialect's type map round-trips: ``parse_type(column_type(c)) == c``, with no server.

The forward map writes a column's SQL type in DDL; the reverse map reads it back (from the
catalog, in introspection).  A type that did not come back as itself would show as a change
that no migration can make go away.
"""

from __future__ import annotations

import pytest

from nextorm.dialects import get_dialect

COLUMNS = [
    {"type": "int"}, {"type": "float"}, {"type": "bool"}, {"type": "bytes"},
    {"type": "decimal", "precision": 12, "scale": 2}, {"type": "decimal", "precision": 5, "scale": 0},
    {"type": "datetime"}, {"type": "date"}, {"type": "time"}, {"type": "uuid"}, {"type": "json"},
    {"type": "str", "max_len": 80}, {"type": "str", "max_len": 1}, {"type": "str"},
]


@pytest.mark.parametrize("provider", ["sqlite", "postgres", "mysql"])
@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_the_type_map_round_trips(provider: str, column: dict) -> None:
    dialect = get_dialect(provider)
    assert dialect.parse_type(dialect.column_type(column)) == column
