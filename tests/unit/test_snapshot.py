"""The snapshot is the baseline of the next diff: stable bytes, loud when broken."""

from __future__ import annotations

import json

import pytest

from nextorm import SnapshotError
from nextorm.migrations import snapshot
from nextorm.schema.model import empty_schema

SCHEMA = {"format": 1, "tables": {"user": {
    "columns": {"name": {"type": "str", "max_len": 80, "nullable": False},
                "id": {"type": "int", "nullable": False, "auto": True}},
    "primary_key": ["id"], "indexes": {}, "uniques": {"unq_user__name": {"columns": ["name"]}},
    "foreign_keys": {}}}}


def test_missing_snapshot_is_an_empty_schema(tmp_path):
    assert snapshot.load(tmp_path) == empty_schema()


def test_round_trip_and_stable_bytes(tmp_path):
    text = snapshot.dumps(SCHEMA)
    snapshot.snapshot_path(tmp_path).write_text(text)
    loaded = snapshot.load(tmp_path)
    assert loaded == SCHEMA
    assert snapshot.dumps(loaded) == text  # regenerating an unchanged schema: same bytes
    reordered = json.loads(json.dumps(SCHEMA), object_pairs_hook=lambda p: dict(reversed(p)))
    assert snapshot.dumps(reordered) == text  # key order never shows as a change
    assert text.endswith("\n") and '"format": 1' in text


def test_corrupt_snapshot_names_the_file(tmp_path):
    snapshot.snapshot_path(tmp_path).write_text('{"format": 1, "tables": {')
    with pytest.raises(SnapshotError, match=r"\.schema_snapshot\.json: corrupt snapshot"):
        snapshot.load(tmp_path)


@pytest.mark.parametrize("data, message", [
    ({"format": 99, "tables": {}}, "format 99 is unknown"),
    ({"tables": {}}, "no 'format' key"),
    ([], "no 'format' key"),
    ({"format": 1}, "no 'tables' object"),
    ({"format": 1, "tables": {"user": {"columns": {}}}}, "table 'user' is missing primary_key"),
    ({"format": 1, "tables": {"user": {**SCHEMA["tables"]["user"], "columns": {"x": {}}}}},
     "column user.x has no type"),
])
def test_unknown_or_incomplete_snapshot_is_refused(tmp_path, data, message):
    snapshot.snapshot_path(tmp_path).write_text(json.dumps(data))
    with pytest.raises(SnapshotError, match=message) as info:
        snapshot.load(tmp_path)
    assert str(snapshot.snapshot_path(tmp_path)) in str(info.value)
