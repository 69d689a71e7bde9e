"""MigrationRunner in-process: statuses, atomicity, targets, sqlmigrate's stand-in."""

from __future__ import annotations

import pytest

from nextorm import Database, MigrationRunner
from nextorm.errors import MigrationError
from nextorm.migrations.runner import MigrationStatus, format_statuses


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


CREATE = ('def upgrade(db):\n    db._execute_dml("CREATE TABLE t1 (id INTEGER PRIMARY KEY)", [])\n'
          'def downgrade(db):\n    db._execute_dml("DROP TABLE t1", [])\n')


def test_statuses_and_steps(db, tmp_path):
    write(tmp_path, "0001_initial.py", CREATE)
    write(tmp_path, "0002_rows.py", 'def upgrade(db):\n'
          '    db._execute_dml("INSERT INTO t1 (id) VALUES (?)", [5])\n')
    runner = MigrationRunner(db, tmp_path)
    assert [(s.name, s.version, s.applied, s.applied_at, s.state)
            for s in runner.showmigrations()] == [
        ("0001_initial.py", "0001_initial", False, "", "pending"),
        ("0002_rows.py", "0002_rows", False, "", "pending")]
    seen = []
    runner.report = seen.append
    steps = runner.migrate()
    assert [(s.action, s.name) for s in steps] == [
        ("applied", "0001_initial.py"), ("applied", "0002_rows.py")]
    assert [s for s in seen if s in steps] == steps
    assert seen[0].action == "database" and seen[0].name.startswith(db.provider)
    assert [s.action for s in seen if s not in steps] == ["database", "applying", "applying"]
    statuses = runner.showmigrations()
    assert all(s.applied and s.state == "applied" and s.applied_at for s in statuses)
    assert db._execute("SELECT id FROM t1") == [(5,)]
    assert runner.migrate() == []


@pytest.fixture(params=["sqlite", "postgres"])
def transactional_db(request):
    """A database with transactional DDL (MariaDB's case has tests of its own)."""
    database = Database(entities=[])
    request.getfixturevalue(f"{request.param}_target").bind(database)
    yield database
    database.disconnect()


def test_atomic_failure_in_process(transactional_db, tmp_path):
    db = transactional_db
    write(tmp_path, "0001_bad.py", 'def upgrade(db):\n'
          '    db._execute_dml("CREATE TABLE t2 (id INTEGER PRIMARY KEY)", [])\n'
          '    raise ValueError("stop")\n')
    with pytest.raises(MigrationError, match=r"0001_bad\.py line 3 upgrade failed and was rolled "
                                             r"back: ValueError: stop"):
        MigrationRunner(db, tmp_path).migrate()
    assert "t2" not in db.table_names()
    assert not db.in_transaction


def test_fake_then_zero_with_fake(db, tmp_path):
    write(tmp_path, "0001_initial.py", CREATE)
    runner = MigrationRunner(db, tmp_path)
    with pytest.raises(MigrationError, match="--fake would record 0001_initial.py as applied, "
                                             "but table t1, created by 0001_initial.py, does not exist"):
        runner.migrate(fake=True)  # on an empty database: nothing to adopt
    assert runner.showmigrations()[0].state == "pending"
    db._execute_dml("CREATE TABLE t1 (id INTEGER PRIMARY KEY)")  # the schema to adopt
    assert [s.action for s in runner.migrate(fake=True)] == ["faked"]
    assert [s.action for s in runner.migrate("zero", fake=True)] == ["faked undo"]
    assert runner.showmigrations()[0].state == "pending"


def test_sqlmigrate_collects_without_touching_the_database(db, tmp_path):
    write(tmp_path, "0001_initial.py", CREATE + 'def helper(db):\n    db.bind("x")\n')
    write(tmp_path, "0002_odd.py", 'def upgrade(db):\n    db.generate_mapping()\n')
    runner = MigrationRunner(db, tmp_path)
    assert runner.sqlmigrate("1") == ["CREATE TABLE t1 (id INTEGER PRIMARY KEY);"]
    assert runner.sqlmigrate("0001", backwards=True) == ["DROP TABLE t1;"]
    with pytest.raises(MigrationError, match=r"sqlmigrate cannot show what db\.generate_mapping"):
        runner.sqlmigrate("2")
    assert "_nextorm_migrations" not in db.table_names()


def test_format_statuses_aligns_names():
    statuses = [MigrationStatus("0001_initial.py", "0001_initial", True, "2025-03-10T14:22:00",
                                "applied"),
                MigrationStatus("0002_add_email_to_user.py", "0002_add_email_to_user", True,
                                "2025-03-15T09:11:42", "applied"),
                MigrationStatus("0003_create_tags_table.py", "0003_create_tags_table", False, "")]
    # The guide's example, with the timestamps in one column (the guide's first line is one
    # space short of its second; the issue asks for aligned names).
    assert format_statuses(statuses) == [
        "[x] 0001_initial.py           (2025-03-10T14:22:00)",
        "[x] 0002_add_email_to_user.py (2025-03-15T09:11:42)",
        "[ ] 0003_create_tags_table.py"]


def test_bad_target(db, tmp_path):
    write(tmp_path, "0001_initial.py", CREATE)
    with pytest.raises(MigrationError, match="is not a number, a file name or 'zero'"):
        MigrationRunner(db, tmp_path).migrate("latest")


def test_files_receive_a_context_with_execute_and_query(db, tmp_path):
    """The public calls of a migration, beside the guide's db._execute_dml."""
    write(tmp_path, "0001_initial.py", CREATE)
    write(tmp_path, "0002_context.py",
          'def upgrade(db):\n'
          '    assert db.execute("INSERT INTO t1 (id) VALUES (?)", [1]) == 1\n'
          '    db._execute_dml("INSERT INTO t1 (id) VALUES (?)", [2])\n'
          '    rows = db.query("SELECT COUNT(*) FROM t1 WHERE id > ?", [0])\n'
          '    db.execute("INSERT INTO t1 (id) VALUES (?)", [10 + rows[0][0]])\n')
    MigrationRunner(db, tmp_path).migrate()
    assert sorted(db._execute("SELECT id FROM t1")) == [(1,), (2,), (12,)]


def test_refusals_are_typed(db, tmp_path):
    from nextorm.errors import HistoryChangedError, OutOfOrderError, UnknownTargetError

    write(tmp_path, "0001_initial.py", CREATE)
    write(tmp_path, "0003_later.py", 'def upgrade(db):\n    pass\n')
    runner = MigrationRunner(db, tmp_path)
    with pytest.raises(UnknownTargetError, match="no migration numbered 7"):
        runner.migrate("7")
    runner.migrate()
    write(tmp_path, "0002_branch.py", 'def upgrade(db):\n    pass\n')
    with pytest.raises(OutOfOrderError) as refused:
        runner.migrate()
    assert (refused.value.pending, refused.value.applied) == ("0002_branch.py", "0003_later.py")
    (tmp_path / "0002_branch.py").unlink()
    write(tmp_path, "0003_later.py", 'def upgrade(db):\n    db.execute("SELECT 1")\n')
    with pytest.raises(HistoryChangedError) as changed:
        runner.migrate()
    assert changed.value.edited == ["0003_later.py"] and changed.value.missing == []
