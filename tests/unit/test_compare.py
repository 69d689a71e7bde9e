"""The model and a live database are compared through ``physical`` and canonical defaults.

Servers spell one SQL default many ways; each spelling must come back as the one the model
holds, and the keys only the model knows must not take part in the comparison.
"""

from __future__ import annotations

import pytest

from nextorm.schema.compare import canonical_sql_default, physical


@pytest.mark.parametrize(
    ("written", "ltype", "canonical"),
    [
        ("0.000", "decimal", "0"), ("+1.50", "float", "1.5"), ("'-1'::integer", "int", "-1"),
        ("'new'::character varying", "str", "'new'"), ("current_timestamp(6)", "datetime",
                                                       "CURRENT_TIMESTAMP"),
        ("now()", "datetime", "CURRENT_TIMESTAMP"), ("curdate()", "date", "CURRENT_DATE"),
        ("1", "bool", "TRUE"), ("false", "bool", "FALSE"), ("NULL", "int", None),
        ("(42)", "int", "42"), ("'5'", "str", "'5'"), ("5", "str", "'5'"),
        ("'5'::character varying", "str", "'5'"), ("lower('X')", "str", "lower('X')"),
    ],
)
def test_server_spellings_of_defaults_are_canonical(written, ltype, canonical):
    assert canonical_sql_default(written, ltype) == canonical


def test_mariadb_backslash_escapes_in_string_defaults():
    assert canonical_sql_default("'it\\'s'", "str", backslash_escapes=True) == "'it''s'"
    assert canonical_sql_default("'a\\\\b'", "str", backslash_escapes=True) == "'a\\b'"


def test_physical_drops_model_only_keys_and_keeps_the_model_intact():
    model = {"format": 1, "tables": {"t": {
        "columns": {
            "a": {"type": "str", "max_len": 9, "nullable": False, "empty_default": True},
            "b": {"type": "int", "nullable": False, "default": 3, "sql_default": "+3.0"},
            "c": {"type": "bool", "nullable": True, "sql_default": "NULL"},
        },
        "primary_key": ["a"], "indexes": {}, "uniques": {}, "foreign_keys": {}}}}
    result = physical(model)
    assert result["tables"]["t"]["columns"] == {
        "a": {"type": "str", "max_len": 9, "nullable": False},
        "b": {"type": "int", "nullable": False, "sql_default": "3"},
        "c": {"type": "bool", "nullable": True},
    }
    assert model["tables"]["t"]["columns"]["b"]["default"] == 3  # the input is not changed
