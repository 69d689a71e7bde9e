"""Adopting a history nextorm 0.5.1 wrote, on SQLite, PostgreSQL and MariaDB.

The fixture (tests/fixtures/nextorm051/) was made by the real 0.5.1: its database, tracking
table, migration files and snapshot.  After adoption the files it applied count as applied,
every row is still there, and the next makemigrations writes only the change made since.
"""

from __future__ import annotations

import re

import pytest

from nextorm import MigrationError, SnapshotError
from nextorm.migrations import MigrationRunner, adopt_051, makemigrations, migrate
from nextorm.migrations.checksum import file_checksum
from nextorm.migrations.generate import plan_migration
from nextorm.schema.operations import AddColumn
from support.adopt051 import data_rows, fixture_db, fixture_rows, install


def tracking_rows(db):
    return db._execute("SELECT version, name, applied_at, checksum, status FROM "
                       "_nextorm_migrations ORDER BY version")


def expected_tracking(directory):
    """The rows adoption must write: 0.5.1's times, the files' checksums."""
    return [(stem.split("_", 1)[0], f"{stem}.py", applied_at[:19],
             file_checksum((directory / f"{stem}.py").read_bytes()), "applied")
            for stem, applied_at in fixture_rows("_nextorm_migrations")]


def test_the_first_migrate_adopts_the_table_and_the_snapshot(target, tmp_path):
    directory = install(target, tmp_path)
    db = fixture_db(target)
    before = data_rows(db)
    assert before["author"] == fixture_rows("author") and before["post_tag"] == [(1, 1)]
    seen = []
    steps = MigrationRunner(db, directory, report=seen.append).migrate()
    assert [s.action for s in steps] == ["adopted"]  # nothing ran again
    assert re.fullmatch(r"nextorm 0\.5\.1's history: _nextorm_migrations upgraded "
                        r"\(2 applied migration\(s\) kept\), \.schema_snapshot\.json converted",
                        steps[0].name), steps[0].name
    assert seen[0].action == "database"
    assert tracking_rows(db) == expected_tracking(directory)
    assert data_rows(db) == before
    statuses = MigrationRunner(db, directory).showmigrations()
    assert [(s.version, s.state, s.applied_at) for s in statuses] == [
        (stem, "applied", at[:19]) for stem, at in fixture_rows("_nextorm_migrations")]
    assert migrate(db, directory=directory) == []  # adopted once; a second run is a no-op
    assert makemigrations(db, directory=directory) is None  # the snapshot matches the entities


def test_the_next_makemigrations_writes_only_the_real_change(target, tmp_path):
    directory = install(target, tmp_path)
    migrate(fixture_db(target), directory=directory)
    db = fixture_db(target, "bio: Opt[str]")  # the change made after switching
    planned = plan_migration(db, directory, "add_bio")
    assert planned is not None
    assert [(type(op), op.table, getattr(op, "column", None)) for op in planned.operations] == [
        (AddColumn, "author", "bio")]
    path = makemigrations(db, "add_bio", directory=directory)
    assert path is not None and path.name == "0003_add_bio.py"
    rows = data_rows(db)
    assert migrate(db, directory=directory) == ["0003_add_bio.py"]
    assert data_rows(db) == rows
    assert db._execute("SELECT bio FROM author ORDER BY id") == [("",), ("",)]
    assert makemigrations(db, directory=directory) is None


def test_adopt_command_does_it_once(target, tmp_path):
    directory = install(target, tmp_path)
    db = fixture_db(target)
    rows = data_rows(db)
    done = adopt_051(db, directory)
    assert (done.rows, done.snapshot) == (2, True)
    assert tracking_rows(db) == expected_tracking(directory)
    again = adopt_051(db, directory)
    assert (again.rows, again.snapshot) == (None, False)
    assert again.describe().startswith("Nothing to adopt")
    assert done.describe().startswith("Adopted nextorm 0.5.1's history: _nextorm_migrations")
    assert migrate(db, directory=directory) == []
    assert data_rows(db) == rows


def test_showmigrations_reads_051_rows_and_writes_nothing(target, tmp_path):
    directory = install(target, tmp_path)
    db = fixture_db(target)
    statuses = MigrationRunner(db, directory).showmigrations()
    assert [str(s).split("(")[0].rstrip() for s in statuses] == [
        "[x] 0001_initial.py", "[x] 0002_add_email_and_tags.py"]
    assert [s.applied_at for s in statuses] == [
        at[:19] for _, at in fixture_rows("_nextorm_migrations")]
    assert db._execute("SELECT version FROM _nextorm_migrations ORDER BY version") == [
        ("0001_initial",), ("0002_add_email_and_tags",)]  # still 0.5.1's


def test_makemigrations_names_the_command_before_adoption(target, tmp_path):
    directory = install(target, tmp_path)
    with pytest.raises(SnapshotError, match=r"written by nextorm 0\.5\.1: convert it once with "
                                            r"'migrate' or 'adopt-0\.5\.1'"):
        makemigrations(fixture_db(target, "bio: Opt[str]"), directory=directory)


def test_an_adoption_stopped_half_way_is_finished(target, tmp_path):
    """MariaDB commits each ALTER: a crash after the first one leaves 0.5.1's rows behind."""
    directory = install(target, tmp_path)
    db = fixture_db(target)
    db._execute_dml("ALTER TABLE _nextorm_migrations ADD COLUMN name VARCHAR(255) NOT NULL "
                    "DEFAULT ''")
    db._execute_dml("ALTER TABLE _nextorm_migrations ADD COLUMN checksum VARCHAR(64) NOT NULL "
                    "DEFAULT ''")
    assert migrate(db, directory=directory) == []
    assert tracking_rows(db) == expected_tracking(directory)


def test_a_row_naming_no_file_is_reported(target, tmp_path):
    directory = install(target, tmp_path)
    db = fixture_db(target)
    (directory / "0002_add_email_and_tags.py").unlink()
    with pytest.raises(MigrationError, match="0002_add_email_and_tags.py"):
        migrate(db, directory=directory)  # an applied file is gone: refused, as always
    assert [s.state for s in MigrationRunner(db, directory).showmigrations()] == [
        "applied", "missing"]
