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
    # nextorm 0.5.1's declarations: size=, unsigned=, precision=, DateTimeTz, timedelta
    {"type": "int", "size": 16}, {"type": "int", "size": 64},
    {"type": "datetime", "precision": 3}, {"type": "datetime", "precision": 0},
    {"type": "time", "precision": 2}, {"type": "datetimetz"},
    {"type": "datetimetz", "precision": 3}, {"type": "timedelta"},
    # nextorm 0.5.1's Vec: VECTOR(n) on SQLite, REAL[n] on PostgreSQL (the catalog's real[]
    # gets its length from the CHECK), LONGTEXT with a comment on MariaDB
    {"type": "vector", "dimensions": 384}, {"type": "vector", "dimensions": 1},
]
#: ``unsigned=True``: a type modifier on SQLite and MariaDB; a CHECK on PostgreSQL, read back
#: from the catalog (tests/orm/test_declarations_051.py), not from the type.
UNSIGNED = [{"type": "int", "unsigned": True}, {"type": "int", "size": 64, "unsigned": True}]


@pytest.mark.parametrize("provider", ["sqlite", "postgres", "mysql"])
@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_the_type_map_round_trips(provider: str, column: dict) -> None:
    dialect = get_dialect(provider)
    assert dialect.parse_type(dialect.declared_type(column)) == column


@pytest.mark.parametrize("provider", ["sqlite", "mysql"])
@pytest.mark.parametrize("column", UNSIGNED, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_unsigned_types_round_trip(provider: str, column: dict) -> None:
    dialect = get_dialect(provider)
    assert dialect.parse_type(dialect.declared_type(column)) == column


def test_types_without_a_server_type_of_their_own_are_marked_on_mariadb() -> None:
    dialect = get_dialect("mysql")
    assert dialect.declared_type({"type": "timedelta"}) == "BIGINT COMMENT 'nextorm:timedelta'"
    assert dialect.parse_type("bigint(20)") == {"type": "int", "size": 64}


def test_a_declared_sql_type_is_written_as_given() -> None:
    for provider in ("sqlite", "postgres", "mysql"):
        assert get_dialect(provider).column_type({"type": "str", "sql_type": "CHAR(3)"}) == "CHAR(3)"
