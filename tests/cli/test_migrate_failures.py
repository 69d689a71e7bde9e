"""When a migration fails, runs concurrently, or the history changed: nothing half-done."""

from __future__ import annotations

from support.cli import INITIAL, steps

BROKEN = """
def upgrade(db):
    db._execute_dml("INSERT INTO item (id, name) VALUES (?, ?)", [7, "kept?"])
    db._execute_dml("INSERT INTO missing_table (id) VALUES (1)", [])
"""

BROKEN_DDL = """
def upgrade(db):
    db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])
    db._execute_dml("INSERT INTO missing_table (id) VALUES (1)", [])
"""


def test_failing_statement_leaves_database_unchanged(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_broken.py", BROKEN)

    result = project.run("migrate")
    assert result.code == 1, result
    assert steps(result.out)[0] == "Applying 0001_initial.py ... done", result
    [line] = result.err.splitlines()
    assert line.startswith("error: migrations/0002_broken.py upgrade failed and was rolled back: ")
    assert "missing_table" in line  # the server's message
    assert "(statement: INSERT INTO missing_table (id) VALUES (1))" in line
    assert project.query("SELECT COUNT(*) FROM item") == [(0,)]
    assert project.applied() == ["0001_initial.py"]
    assert "Traceback" not in result.err


def test_failing_ddl_migration_is_rolled_back(transactional_project):
    project = transactional_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_broken.py", BROKEN_DDL)
    result = project.run("migrate")
    assert result.code == 1, result
    assert "rolled back" in result.err and "missing_table" in result.err
    assert "tag" not in project.tables()
    assert project.applied() == ["0001_initial.py"]


def test_python_error_in_upgrade_names_the_line(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_oops.py", """
        def upgrade(db):
            db._execute_dml("INSERT INTO item (id, name) VALUES (1, 'x')", [])
            rows = {}["missing"]
        """)
    result = project.run("migrate")
    assert result.code == 1
    assert result.err.strip() == (
        "error: migrations/0002_oops.py line 4 upgrade failed and was rolled back: "
        "KeyError: 'missing'"), result
    assert project.query("SELECT COUNT(*) FROM item") == [(0,)]
    assert project.applied() == ["0001_initial.py"]


def test_mariadb_partial_failure_blocks_runs(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    broken = project.write_migration("0002_broken.py", BROKEN_DDL)
    project.write_migration("0003_later.py", """
        def upgrade(db):
            db._execute_dml("INSERT INTO item (id, name) VALUES (3, 'later')", [])
        """)

    result = project.run("migrate")
    assert result.code == 1, result
    [line] = result.err.splitlines()
    assert line.startswith("error: migrations/0002_broken.py upgrade failed: ")
    assert "(statement: INSERT INTO missing_table (id) VALUES (1))" in line
    assert "MariaDB had already committed 1 statement(s) of it" in line
    assert line.endswith("Run 'migrate --retry' to resume it from statement 2, or "
                         "finish it by hand and run 'migrate --fake 0002'"), line
    assert "tag" in project.tables()  # the CREATE TABLE was committed by the server
    assert project.applied() == ["0001_initial.py"]

    blocked = project.run("migrate")
    assert blocked.code == 1
    assert blocked.err.startswith(
        "error: 0002_broken.py failed after 1 statement(s) had been committed: "), blocked
    assert project.query("SELECT COUNT(*) FROM item") == [(0,)]  # 0003 did not run
    shown = project.run("showmigrations")
    assert "[!] 0002_broken.py" in shown.out and "FAILED" in shown.out, shown

    # The user undoes the committed statement, fixes the file and retries.
    project.query("DROP TABLE tag")
    broken.write_text(broken.read_text().replace("missing_table", "tag"))
    retried = project.run("migrate", "--retry")
    assert retried.code == 0, retried
    assert project.applied() == ["0001_initial.py", "0002_broken.py", "0003_later.py"]
    assert project.query("SELECT COUNT(*) FROM tag") == [(1,)]


def test_mariadb_fake_resolves_a_failed_migration(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_broken.py", BROKEN_DDL)
    project.write_migration("0003_later.py", """
        def upgrade(db):
            db._execute_dml("INSERT INTO item (id, name) VALUES (3, 'later')", [])
        """)
    assert project.run("migrate").code == 1
    project.query("CREATE TABLE missing_table (id INTEGER)")
    project.query("INSERT INTO missing_table (id) VALUES (1)")  # finished by hand
    faked = project.run("migrate", "--fake", "0002")
    assert faked.code == 0, faked
    assert "Faked 0002_broken.py" in steps(faked.out), faked
    assert project.applied() == ["0001_initial.py", "0002_broken.py"]  # 0003 not faked
    assert project.run("migrate").code == 0
    assert project.query("SELECT name FROM item") == [("later",)]


def test_mariadb_data_only_failure_is_rolled_back(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_broken.py", BROKEN)
    result = project.run("migrate")
    assert "upgrade failed and was rolled back" in result.err, result
    again = project.run("migrate")  # not blocked: nothing was committed
    assert "failed after" not in again.err and "rolled back" in again.err, again


def test_eight_concurrent_migrates_apply_once(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_add_rows.py", """
        import time

        def upgrade(db):
            n = db._execute("SELECT COUNT(*) FROM item", [])[0][0]
            time.sleep(0.3)
            db._execute_dml("INSERT INTO item (id, name) VALUES (?, ?)", [n + 1, "row"])
        """)
    assert project.run("migrate", "1").code == 0
    procs = [project.popen("migrate") for _ in range(8)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [code for _, _, code in results] == [0] * 8, results
    applied_lines = [out for out, _, _ in results if "Applying 0002_add_rows.py ... done" in out]
    assert len(applied_lines) == 1, results
    assert project.query("SELECT COUNT(*) FROM item") == [(1,)]
    assert project.applied() == ["0001_initial.py", "0002_add_rows.py"]


def test_edited_or_deleted_applied_file_blocks_migrate(project):
    first = project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_tag.py", """
        def upgrade(db):
            db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])
        """)
    assert project.run("migrate").code == 0
    first.write_text(first.read_text().replace("VARCHAR(50)", "VARCHAR(60)"))
    project.write_migration("0003_more.py", """
        def upgrade(db):
            db._execute_dml("INSERT INTO item (id, name) VALUES (5, 'e')", [])
        """)

    shown = project.run("showmigrations")
    assert shown.code == 0
    assert shown.out.splitlines()[0].endswith("  edited since applied"), shown
    assert shown.out.splitlines()[2] == "[ ] 0003_more.py"

    refused = project.run("migrate")
    assert refused.code == 1
    assert refused.err.strip() == (
        "error: migration history changed (edited since applied: 0001_initial.py): restore "
        "the files, or run 'migrate --accept-changed' to accept the directory as it is now")
    assert project.query("SELECT COUNT(*) FROM item") == [(0,)]

    (project.migrations / "0002_tag.py").unlink()
    shown = project.run("showmigrations")
    assert shown.out.splitlines()[1].endswith("  file missing"), shown
    refused = project.run("migrate")
    assert "applied but missing: 0002_tag.py" in refused.err, refused

    accepted = project.run("migrate", "--accept-changed")
    assert accepted.code == 0, accepted
    assert "Accepted edit 0001_initial.py" in accepted.out
    assert "Forgot deleted 0002_tag.py" in accepted.out
    assert project.query("SELECT COUNT(*) FROM item") == [(1,)]
    clean = project.run("showmigrations")
    assert "edited" not in clean.out and "missing" not in clean.out, clean


def test_duplicate_numbers_name_both_files(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_add_tag.py", "def upgrade(db):\n    pass\n")
    project.write_migration("0002_add_color.py", "def upgrade(db):\n    pass\n")
    for command in ("migrate", "showmigrations"):
        result = project.run(command)
        assert result.code == 1, result
        assert result.err.strip() == (
            "error: two migrations have the number 2: migrations/0002_add_color.py and "
            "migrations/0002_add_tag.py; renumber one of them (and check that they do not "
            "conflict)")
    assert project.tables() == set()


def test_file_without_upgrade_is_never_recorded(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_nothing.py", "def downgrade(db):\n    pass\n")
    result = project.run("migrate")
    assert result.code == 1
    assert result.err.strip() == (
        "error: migrations/0002_nothing.py has no upgrade(db) function; every migration needs one")
    assert project.applied() == []  # checked before anything ran
    assert "item" not in project.tables()


def test_file_rendered_for_another_dialect_is_refused(project):
    other = {"sqlite": "postgres", "postgres": "mysql", "mysql": "sqlite"}[project.target.provider]
    project.write_migration("0001_initial.py", f'DIALECT = "{other}"\n' + INITIAL)
    result = project.run("migrate")
    assert result.code == 1
    assert result.err.strip() == (
        f"error: migrations/0001_initial.py was rendered for {other} but the database is "
        f"{project.target.provider}: to run one folder on both, set dialects = [\"{other}\", "
        f"\"{project.target.provider}\"] under [tool.nextorm] (a part per server in each file; "
        "docs/cli.md, One folder for several servers), or keep one migrations directory per "
        "database kind (--directory)"), result
    assert project.applied() == []


REBUILD = """
FOREIGN_KEYS_OFF = True

def upgrade(db):
    db._execute_dml('CREATE TABLE "new_item" (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)', [])
    db._execute_dml('INSERT INTO "new_item" (id, name) SELECT id, name FROM item{where}', [])
    db._execute_dml('DROP TABLE item', [])
    db._execute_dml('ALTER TABLE "new_item" RENAME TO item', [])
"""


def test_sqlite_rebuild_with_foreign_keys_off(sqlite_project):
    project = sqlite_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_child.py", """
        def upgrade(db):
            db._execute_dml("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                            "item_id INTEGER NOT NULL REFERENCES item (id))", [])
            db._execute_dml("INSERT INTO item (id, name) VALUES (1, 'a'), (2, 'b')", [])
            db._execute_dml("INSERT INTO child (id, item_id) VALUES (1, 1), (2, 2)", [])
        """)
    assert project.run("migrate").code == 0
    project.write_migration("0003_rebuild.py", REBUILD.format(where=""))
    result = project.run("migrate")
    assert result.code == 0, result  # DROP TABLE item would fail with foreign keys on
    assert project.query("SELECT id, name FROM item ORDER BY id") == [(1, "a"), (2, "b")]

    project.write_migration("0004_lossy.py", REBUILD.format(where=" WHERE id = 1"))
    result = project.run("migrate")
    assert result.code == 1, result
    assert result.err.strip() == (
        "error: migrations/0004_lossy.py upgrade failed and was rolled back: it leaves 1 row(s) "
        "violating foreign keys (first: child rowid 2 references a missing item row)")
    assert project.query("SELECT id FROM item ORDER BY id") == [(1,), (2,)]
    assert project.applied()[-1] == "0003_rebuild.py"


def test_process_killed_mid_migration(project):
    project.write_migration("0001_initial.py", INITIAL)
    dying = project.write_migration("0002_dies.py", """
        import os

        def upgrade(db):
            db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])
            os._exit(9)  # the process is killed: no rollback, no cleanup, locks held
        """)
    died = project.run("migrate", in_process=False)  # it kills its process
    assert died.code == 9, died
    assert project.applied() == ["0001_initial.py"]
    if project.target.provider != "mysql":
        assert "tag" not in project.tables()  # the open transaction died with the process
    dying.write_text("def upgrade(db):\n    db._execute_dml('CREATE TABLE tag (id INTEGER)', [])\n")
    again = project.run("migrate")  # the lock died with the process: no wait, no deadlock
    if project.target.provider == "mysql":
        assert again.code == 1
        assert again.err.startswith("error: 0002_dies.py was interrupted (the process died) "
                                    "after 1 statement(s) had been committed. Undo its "
                                    "committed statements by hand"), again
        assert again.err.endswith("('--retry' cannot resume it: 0002_dies.py changed since it "
                                  "ran)\n"), again
        assert "[~] 0002_dies.py" in project.run("showmigrations").out
        project.query("DROP TABLE tag")
        again = project.run("migrate", "--retry")
    assert again.code == 0, again
    assert project.applied() == ["0001_initial.py", "0002_dies.py"]
