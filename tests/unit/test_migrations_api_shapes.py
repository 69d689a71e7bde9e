"""The migration API in nextorm 0.5.1's shapes, and converting 0.5.1's snapshot (no server)."""

from __future__ import annotations

import inspect
import json

import pytest

import nextorm
import nextorm.migrations as migrations
from nextorm import MigrationError, SnapshotError
from nextorm.migrations import (
    MigrationRunner,
    MigrationStatus,
    makemigrations,
    migrate,
    showmigrations,
)
from nextorm.migrations.adopt import adopted_records
from nextorm.migrations.checksum import file_checksum
from nextorm.migrations.snapshot import loads
from nextorm.migrations.snapshot051 import convert, is_051
from support.adopt051 import FIXTURE, models_source

OLD = json.loads((FIXTURE / "migrations" / ".schema_snapshot.json").read_text())


def model_tables(*extra: str) -> dict:
    """The fixture's entities (as 0.5.1 last saw them, plus ``extra``), mapped without a server."""
    namespace: dict = {}
    exec(compile(models_source(*extra), "models.py", "exec"), namespace)
    namespace["db"].generate_mapping()
    return namespace["db"].schema_dict()["tables"]


def test_both_import_paths_give_the_same_objects():
    assert nextorm.MigrationStatus is MigrationStatus
    assert (nextorm.makemigrations, nextorm.migrate, nextorm.showmigrations,
            nextorm.MigrationRunner) == (makemigrations, migrate, showmigrations, MigrationRunner)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        migrations.nothing  # noqa: B018


def test_every_exported_name_resolves():
    """(That none of them reaches the generator is checked by test_architecture.py.)"""
    assert all(callable(getattr(migrations, name)) for name in migrations.__all__)
    assert set(migrations.__all__) <= set(dir(migrations))


def test_signatures_are_051s():
    make = inspect.signature(makemigrations).parameters
    assert list(make)[:3] == ["db", "name", "directory"]
    assert make["directory"].kind is inspect.Parameter.KEYWORD_ONLY
    assert make["name"].default is None
    assert "fake" in inspect.signature(migrate).parameters
    assert list(inspect.signature(showmigrations).parameters) == ["db", "directory"]


@pytest.mark.parametrize("name", ["migrations/", "a/b", "."])
def test_a_directory_where_the_name_goes_is_refused(name):
    with pytest.raises(MigrationError, match=r"looks like a directory, but the 2nd argument is "
                                             r"the migration's name .*directory="):
        makemigrations(object(), name)


def test_status_fields_are_051s():
    status = MigrationStatus("0003_tags.py", "0003_tags", False, "")
    assert (status.state, str(status)) == ("pending", "[ ] 0003_tags.py")
    assert str(MigrationStatus("0001_a.py", "0001_a", True, "2025-03-10T14:22:00", "applied")) \
        == "[x] 0001_a.py (2025-03-10T14:22:00)"


def test_051_snapshot_is_recognised_and_named():
    assert is_051(OLD) and not is_051({"format": 1, "tables": {}})
    with pytest.raises(SnapshotError, match=r"written by nextorm 0\.5\.1: convert it once with "
                                            r"'migrate' or 'adopt-0\.5\.1'"):
        loads(json.dumps(OLD))


def test_conversion_of_unchanged_entities_is_the_entities():
    """What 0.5.1 recorded and the entities still declare is exactly the entities' schema."""
    model = model_tables()
    converted = convert(OLD, model, live={})
    assert converted["tables"] == model
    loads(json.dumps(converted))  # a valid snapshot of this NextORM


def test_conversion_leaves_out_what_changed_since():
    model = model_tables("bio: Opt[str]")
    converted = convert(OLD, model, live={})["tables"]
    assert "bio" not in converted["author"]["columns"]
    assert converted["author"]["columns"] == {
        name: column for name, column in model["author"]["columns"].items() if name != "bio"}
    assert {k: v for k, v in converted.items() if k != "author"} == {
        k: v for k, v in model.items() if k != "author"}


def test_conversion_keeps_a_dropped_column_and_a_nullability_change():
    old = json.loads(json.dumps(OLD))
    old["author"]["columns"].append({"name": "age", "nullable": True, "primary_key": False,
                                     "unique": True})
    old["post"]["columns"][1]["nullable"] = True  # title became required since
    live = {"author": {"columns": {"age": {"type": "int", "nullable": True}}}}
    converted = convert(old, model_tables(), live)["tables"]
    assert converted["author"]["columns"]["age"] == {"type": "int", "nullable": True}
    assert converted["author"]["uniques"] == {"unq_author__age": {"columns": ["age"]}}
    assert converted["post"]["columns"]["title"]["nullable"] is True


def test_adopted_rows_take_the_files_checksums(tmp_path):
    (tmp_path / "0001_initial.py").write_bytes(b"def upgrade(db):\n    pass\n")
    first, gone = adopted_records([("0001_initial", "2026-11-28T11:13:09+00:00"),
                                   ("0002_gone", "2026-11-28T11:13:10+00:00")], tmp_path)
    assert (first.version, first.name, first.applied_at, first.checksum, first.source_text) == (
        "0001", "0001_initial.py", "2026-11-28T11:13:09",
        file_checksum(b"def upgrade(db):\n    pass\n"), "def upgrade(db):\n    pass\n")
    assert (gone.version, gone.name, gone.checksum, gone.source_text) == (
        "0002", "0002_gone.py", "", None)
    with pytest.raises(MigrationError, match="'initial' of nextorm 0.5.1's _nextorm_migrations"):
        adopted_records([("initial", "")], tmp_path)
