"""Undo is as safe as apply, and a half-done MariaDB migration resumes without hand work.

Each scenario is typed as a user types it (``python -m nextorm.migrations.cli ...`` in a temp
project) and checked with a fresh connection, with rows in the tables.
"""

from __future__ import annotations

from support.cli import INITIAL, one_error_line, steps

PARENT_CHILD = """\
from nextorm import PK, Database, Entity, {age}, Set, Single


class Parent(Entity):
    id: PK[int]
    age: {age}[int]
    children: Set["Child"]


class Child(Entity):
    id: PK[int]
    parent: Single[Parent]


db = Database(entities=[Parent, Child])
{bind}
"""


def test_undoing_a_rebuild_keeps_the_rows_that_reference_it(project):
    """The issue's repro: undoing a SQLite rebuild used to cascade into the child table."""
    bind = project.target.bind_source()
    project.write_models(PARENT_CHILD.format(age="Req", bind=bind))
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    project.query("INSERT INTO parent (id, age) VALUES (1, 40)")
    project.query("INSERT INTO child (id, parent_id) VALUES (10, 1)")

    project.write_models(PARENT_CHILD.format(age="Opt", bind=bind))
    made = project.run("makemigrations")
    assert made.code == 0, made
    assert project.run("migrate").code == 0
    undone = project.run("migrate", "1")
    assert undone.code == 0, undone
    assert steps(undone.out) == [
        f"Unapplying {made.out.split('/')[-1].strip()} ... done"], undone
    assert project.query("SELECT id, parent_id FROM child") == [(10, 1)]
    assert project.query("SELECT id, age FROM parent") == [(1, 40)]
    assert project.applied() == ["0001_initial.py"]


def test_undo_that_breaks_a_foreign_key_is_rolled_back(sqlite_project):
    """Apply and undo share the foreign-key check: a bad downgrade cannot commit."""
    project = sqlite_project
    project.write_migration("0001_initial.py", """
        def upgrade(db):
            db._execute_dml("CREATE TABLE parent (id INTEGER PRIMARY KEY)", [])
            db._execute_dml("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                            "parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE)", [])
            db._execute_dml("INSERT INTO parent (id) VALUES (1)", [])
            db._execute_dml("INSERT INTO child (id, parent_id) VALUES (2, 1)", [])
        """)
    project.write_migration("0002_drop_parent_row.py", """
        FOREIGN_KEYS_OFF = True

        def upgrade(db):
            pass

        def downgrade(db):
            db._execute_dml("DELETE FROM parent", [])
        """)
    assert project.run("migrate").code == 0
    result = project.run("migrate", "1")
    assert one_error_line(result) == (
        "error: migrations/0002_drop_parent_row.py downgrade failed and was rolled back: it "
        "leaves 1 row(s) violating foreign keys (first: child rowid 2 references a missing "
        "parent row)")
    assert project.query("SELECT id FROM parent") == [(1,)]
    assert project.query("SELECT id, parent_id FROM child") == [(2, 1)]
    assert project.applied() == ["0001_initial.py", "0002_drop_parent_row.py"]


DOWNGRADE_NEEDS_BLOCKER = """
def upgrade(db):
    db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])
    db._execute_dml("ALTER TABLE item ADD COLUMN note VARCHAR(20)", [])


def downgrade(db):
    db._execute_dml("ALTER TABLE item DROP COLUMN note", [])
    db._execute_dml("INSERT INTO blocker (id) VALUES (1)", [])
    db._execute_dml("DROP TABLE tag", [])
"""


def test_mariadb_failed_downgrade_records_progress_and_resumes(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_tag.py", DOWNGRADE_NEEDS_BLOCKER)
    assert project.run("migrate").code == 0
    project.query("INSERT INTO item (id, name) VALUES (1, 'kept')")

    failed = project.run("migrate", "zero")
    line = one_error_line(failed)
    assert line.startswith("error: migrations/0002_tag.py downgrade failed: "), line
    assert "MariaDB had already committed 1 statement(s) of it" in line
    assert line.endswith("Run 'migrate 0001 --retry' to resume it from statement 2, or finish "
                         "it by hand and run 'migrate 0001 --fake'"), line
    shown = project.run("showmigrations")
    assert "[!] 0002_tag.py" in shown.out and "undo FAILED half-way" in shown.out, shown
    blocked = project.run("migrate", "zero")
    assert one_error_line(blocked).startswith(
        "error: undoing 0002_tag.py failed after 1 statement(s) had been committed: "), blocked

    project.query("CREATE TABLE blocker (id INTEGER)")
    resumed = project.run("migrate", "0001", "--retry")
    assert resumed.code == 0, resumed
    assert "Resuming 0002_tag.py from statement 2" in resumed.out, resumed
    assert project.applied() == ["0001_initial.py"]
    assert "tag" not in project.tables()
    assert project.query("SELECT id, name FROM item") == [(1, "kept")]  # no column re-dropped
    assert project.query("SELECT COUNT(*) FROM blocker") == [(1,)]


PLAIN_THREE_STEPS = """
def upgrade(db):
    db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])
    db._execute_dml("ALTER TABLE item ADD COLUMN note VARCHAR(20)", [])
    db._execute_dml("INSERT INTO blocker (id) VALUES (1)", [])
    db._execute_dml("CREATE TABLE label (id INTEGER NOT NULL PRIMARY KEY)", [])
"""


def test_mariadb_retry_resumes_from_the_first_statement_that_did_not_commit(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_three.py", PLAIN_THREE_STEPS)
    failed = project.run("migrate")
    assert "Run 'migrate --retry' to resume it from statement 3" in failed.err, failed
    project.query("CREATE TABLE blocker (id INTEGER)")  # what the failure needed
    resumed = project.run("migrate", "--retry")
    assert resumed.code == 0, resumed
    assert steps(resumed.out) == ["Resuming 0002_three.py from statement 3",
                                  "Applying 0002_three.py ... done"], resumed
    assert project.applied() == ["0001_initial.py", "0002_three.py"]
    assert {"tag", "label"} <= project.tables()
    assert project.query("SELECT COUNT(*) FROM blocker") == [(1,)]


def test_mariadb_retry_of_a_file_with_loops_says_why_it_cannot_resume(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_loop.py", """
        def upgrade(db):
            for name in ("tag", "label"):
                db._execute_dml(f"CREATE TABLE {name} (id INTEGER NOT NULL PRIMARY KEY)", [])
            db._execute_dml("INSERT INTO blocker (id) VALUES (1)", [])
        """)
    failed = project.run("migrate")
    assert one_error_line(failed).endswith(
        "('--retry' cannot resume it: its upgrade() has a for loop (line 3))"), failed


def test_a_row_with_an_unknown_status_says_what_it_holds(project):
    project.write_migration("0001_initial.py", INITIAL)
    assert project.run("migrate").code == 0
    project.query("UPDATE _nextorm_migrations SET status = 'weird'")
    result = project.run("migrate")
    line = one_error_line(result)
    assert "has status 'weird'" in line and "None" not in line, line
    assert "[?] 0001_initial.py" in project.run("showmigrations").out


def test_mariadb_resume_skips_the_checks_its_first_run_passed(mysql_project):
    """A check written before a rename names the old table: a resumed run must not redo it."""
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_rename.py", """
        def upgrade(db):
            found = db._execute("SELECT COUNT(*) FROM item WHERE name = 'bad' HAVING COUNT(*) > 0", [])
            if found:
                raise RuntimeError(f"item: {found[0][0]} bad row(s)")
            db._execute_dml("ALTER TABLE item RENAME TO thing", [])
            db._execute_dml("INSERT INTO blocker (id) VALUES (1)", [])
        """)
    failed = project.run("migrate")
    assert "resume it from statement 2" in one_error_line(failed)
    project.query("CREATE TABLE blocker (id INTEGER)")
    resumed = project.run("migrate", "--retry")
    assert resumed.code == 0, resumed
    assert project.applied() == ["0001_initial.py", "0002_rename.py"]
    assert "thing" in project.tables() and "item" not in project.tables()


def test_mariadb_a_query_feeding_a_statement_is_not_resumed(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_copy.py", """
        def upgrade(db):
            db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])
            rows = db._execute("SELECT COUNT(*) FROM item", [])
            db._execute_dml("INSERT INTO blocker (n) VALUES (?)", [rows[0][0]])
        """)
    failed = project.run("migrate")
    assert one_error_line(failed).endswith(
        "('--retry' cannot resume it: its upgrade() uses a query's rows in a statement "
        "(line 5))"), failed
