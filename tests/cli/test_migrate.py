"""migrate, showmigrations and sqlmigrate typed in a terminal, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import re

from support.cli import CREATE_ITEM, CREATE_TAG, INITIAL, steps

ADD_ALICE = """
def upgrade(db):
    db._execute_dml("INSERT INTO item (id, name) VALUES (?, ?)", [1, "alice"])

def downgrade(db):
    db._execute_dml("DELETE FROM item WHERE id = ?", [1])
"""

STAMP = r"\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)"


def test_migrate_then_showmigrations(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_add_alice.py", ADD_ALICE)
    project.write_migration("0003_create_tag_table.py", CREATE_TAG)

    before = project.run("showmigrations")
    assert before.code == 0, before
    assert before.out.splitlines() == [
        "[ ] 0001_initial.py", "[ ] 0002_add_alice.py", "[ ] 0003_create_tag_table.py"]
    assert project.tables() == set()  # read-only: no tracking table, no SQLite file

    result = project.run("migrate")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].startswith(f"Migrating {project.target.provider} "), lines
    assert steps(result.out) == [
        "Applying 0001_initial.py ... done", "Applying 0002_add_alice.py ... done",
        "Applying 0003_create_tag_table.py ... done"]
    assert all(re.search(r"\(\d+ ms\)$", line) for line in lines[1:])
    assert result.err == ""
    assert project.query("SELECT id, name FROM item") == [(1, "alice")]
    assert {"item", "tag", "_nextorm_migrations"} <= project.tables()
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py", "0003_create_tag_table.py"]

    shown = project.run("showmigrations")
    assert shown.code == 0, shown
    lines = shown.out.splitlines()
    assert re.fullmatch(r"\[x\] 0001_initial\.py {10}" + STAMP, lines[0]), lines
    assert re.fullmatch(r"\[x\] 0002_add_alice\.py {8}" + STAMP, lines[1]), lines
    assert re.fullmatch(r"\[x\] 0003_create_tag_table\.py " + STAMP, lines[2]), lines
    assert len({line.index("(") for line in lines}) == 1  # names aligned

    again = project.run("migrate")
    assert (again.code, again.out.strip()) == (0, "No migrations to apply."), again
    assert project.query("SELECT COUNT(*) FROM item") == [(1,)]


def test_tracking_row_has_version_time_and_checksum(project):
    import hashlib

    path = project.write_migration("0001_initial.py", INITIAL)
    assert project.run("migrate").code == 0
    [(version, name, applied_at, checksum)] = project.query(
        "SELECT version, name, applied_at, checksum FROM _nextorm_migrations")
    assert (version, name) == ("0001", "0001_initial.py")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", applied_at)
    assert checksum == hashlib.sha256(path.read_bytes()).hexdigest()


def test_crlf_line_endings_do_not_count_as_an_edit(project):
    path = project.write_migration("0001_initial.py", INITIAL)
    assert project.run("migrate").code == 0
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # a checkout on Windows
    shown = project.run("showmigrations")
    assert "edited" not in shown.out, shown
    assert project.run("migrate").code == 0


def test_fake_records_without_running(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.query(CREATE_ITEM)  # the schema exists already: adopting it
    project.write_migration("0002_add_alice.py", ADD_ALICE)

    result = project.run("migrate", "--fake")
    assert result.code == 0, result
    assert steps(result.out) == ["Faked 0001_initial.py", "Faked 0002_add_alice.py"]
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py"]
    assert project.query("SELECT COUNT(*) FROM item") == [(0,)]  # nothing ran


def test_db_attr_and_directory(project):
    project.write_models(var="main_db", path="myapp/settings.py")
    project.write_migration("0001_initial.py", INITIAL, directory="db/schema")

    wrong = project.run("migrate", module="myapp.settings")
    assert wrong.code == 1
    assert "has no attribute 'db'" in wrong.err and "main_db" in wrong.err, wrong

    result = project.run("migrate", "--db-attr", "main_db", "--directory", "db/schema",
                         module="myapp.settings")
    assert result.code == 0, result
    assert "item" in project.tables()
    shown = project.run("showmigrations", "--db-attr", "main_db", "-d", "db/schema",
                        module="myapp.settings")
    assert shown.out.startswith("[x] 0001_initial.py"), shown


def test_targets_forward_backward_and_zero(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_add_alice.py", ADD_ALICE)
    project.write_migration("0003_create_tag_table.py", CREATE_TAG)

    result = project.run("migrate", "2")
    assert result.code == 0, result
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py"]
    assert "tag" not in project.tables()

    result = project.run("migrate", "0003")
    assert result.code == 0, result
    assert "tag" in project.tables()

    result = project.run("migrate", "0001_initial")
    assert result.code == 0, result
    assert steps(result.out) == [
        "Unapplying 0003_create_tag_table.py ... done", "Unapplying 0002_add_alice.py ... done"]
    assert project.applied() == ["0001_initial.py"]
    assert "tag" not in project.tables()
    assert project.query("SELECT COUNT(*) FROM item") == [(0,)]

    result = project.run("migrate", "zero")
    assert result.code == 0, result
    assert project.applied() == []
    assert "item" not in project.tables()

    assert project.run("migrate").code == 0
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py", "0003_create_tag_table.py"]

    unknown = project.run("migrate", "0007")
    assert unknown.code == 1 and "no migration numbered 0007" in unknown.err, unknown


def test_backward_move_stops_without_downgrade(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_add_alice.py", "def upgrade(db):\n"
                            "    db._execute_dml(\"INSERT INTO item (id, name) VALUES (1, 'a')\", [])\n")
    project.write_migration("0003_create_tag_table.py", CREATE_TAG)
    assert project.run("migrate").code == 0

    result = project.run("migrate", "zero")
    assert result.code == 1, result
    assert result.err.strip() == (
        "error: cannot undo migrations/0002_add_alice.py: it has no downgrade(db) function; "
        "write one, or choose a later target")
    # checked before anything ran: 0003 was not undone either
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py", "0003_create_tag_table.py"]
    assert "tag" in project.tables()


def test_sqlmigrate_prints_sql_without_running(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_add_alice.py", ADD_ALICE)
    result = project.run("sqlmigrate", "2")
    assert result.code == 0, result
    assert result.out.splitlines() == [
        "INSERT INTO item (id, name) VALUES (?, ?);  -- params: [1, 'alice']"]
    back = project.run("sqlmigrate", "0001", "--backwards")
    assert back.out.strip() == "DROP TABLE item;", back
    assert project.tables() == set()


def test_quiet_prints_nothing_on_success(project):
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate", "-q")
    assert (result.code, result.out, result.err) == (0, "", ""), result
    assert project.applied() == ["0001_initial.py"]


def test_no_colours_when_not_a_terminal(project):
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate")
    assert "\x1b[" not in result.out + result.err
    bad = project.run("migrate", module="myapp.missing")
    assert "\x1b[" not in bad.err


def test_console_script_finds_the_project(project):
    import shutil
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "nextorm"
    if not script.exists():
        script = Path(shutil.which("nextorm") or "nextorm")
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate", command=[str(script)])
    assert result.code == 0, result
    assert project.applied() == ["0001_initial.py"]
