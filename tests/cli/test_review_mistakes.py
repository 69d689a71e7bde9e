"""More user mistakes, found in review: each prints one line, exits non-zero, changes nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from support.cli import CREATE_ITEM, INITIAL, assert_untouched, one_error_line, steps

#: A table of that name another tool left (nextorm 0.5.1's own is adopted: test_cli_adopt_051).
FOREIGN_TRACKING = [
    "CREATE TABLE _nextorm_migrations (id INTEGER NOT NULL PRIMARY KEY, "
    "label VARCHAR(40) NOT NULL)",
    "INSERT INTO _nextorm_migrations VALUES (1, '0001_initial')",
]






def test_unknown_target_creates_no_tracking_table(project):
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate", "7")
    assert result.code == 1
    assert one_error_line(result) == "error: no migration numbered 7 (target '7')"
    assert_untouched(project)


def test_target_file_name_must_name_that_file(sqlite_project):
    sqlite_project.write_migration("0001_initial.py", INITIAL)
    result = sqlite_project.run("migrate", "0001_add_user.py")
    assert result.code == 1
    assert one_error_line(result) == (
        "error: no migration file '0001_add_user.py': number 0001 is 0001_initial.py")
    assert_untouched(sqlite_project)


def test_tracking_table_of_another_format_is_one_line(project):
    project.write_migration("0001_initial.py", INITIAL)
    for sql in FOREIGN_TRACKING:
        project.query(sql)
    for command in ("showmigrations", "migrate"):
        result = project.run(command)
        assert result.code == 1, result
        line = one_error_line(result)
        assert line.startswith(
            "error: the tracking table _nextorm_migrations is not in NextORM's format ("), line
    assert project.tables() == {"_nextorm_migrations"}
    assert project.query("SELECT id, label FROM _nextorm_migrations") == [(1, "0001_initial")]


def test_postgres_search_path_naming_no_schema(postgres_project):
    base = postgres_project.target.url.split("?")[0]
    url = f"{base}?options={quote('-c search_path=no_such_schema_here')}"
    postgres_project.write_models(
        "from nextorm import Database\n\n"
        f"db = Database(entities=[])\ndb.bind('postgres', {url!r})\n")
    postgres_project.write_migration("0001_initial.py", INITIAL)
    for command in ("showmigrations", "migrate"):
        result = postgres_project.run(command)
        assert result.code == 1, result
        assert one_error_line(result).startswith(
            "error: the PostgreSQL search_path names no existing schema"), result
    assert_untouched(postgres_project)


def test_sqlite_file_that_is_not_a_database(sqlite_project):
    sqlite_project.write_migration("0001_initial.py", INITIAL)
    garbage = b"this is a text file, not a database\n" * 4
    db_file = Path(sqlite_project.target.url)
    db_file.write_bytes(garbage)
    for command in ("showmigrations", "migrate"):
        result = sqlite_project.run(command)
        assert result.code == 1, result
        assert one_error_line(result) == f"error: {db_file}: file is not a database", result
    assert db_file.read_bytes() == garbage


def test_sub_folder_runs_as_in_the_project_folder(sqlite_project):
    root = sqlite_project.root
    sqlite_project.write_models(
        "from nextorm import Database\n\n"
        "db = Database(entities=[])\ndb.bind('sqlite', 'app.db')\n")
    sqlite_project.write_migration("0001_initial.py", INITIAL)
    (root / "pyproject.toml").write_text('[tool.nextorm]\nmodule = "myapp.models"\n')
    sub = root / "docs" / "api"
    sub.mkdir(parents=True)
    script = str(Path(sys.executable).parent / "nextorm")
    result = sqlite_project.run("migrate", module=None, cwd=sub, command=[script])
    assert result.code == 0, result
    assert steps(result.out) == ["Applying 0001_initial.py ... done"], result
    assert (root / "app.db").exists() and not (sub / "app.db").exists()
    # The relative 'app.db' means the project folder's: a real process (it changes folder).
    shown = sqlite_project.run("showmigrations", module=None, cwd=sub, in_process=False)
    assert shown.code == 0 and shown.out.startswith("[x] 0001_initial.py"), shown
    # a --directory typed in the sub-folder is relative to the sub-folder
    wrong = sqlite_project.run("showmigrations", "--directory", "migrations", module=None,
                               cwd=sub, in_process=False)
    assert wrong.code == 1
    assert one_error_line(wrong) == (
        "error: migrations directory 'docs/api/migrations' does not exist: run makemigrations "
        "first or pass --directory")


def test_ctrl_c_during_a_migration(transactional_project):
    project = transactional_project
    project.write_migration("0001_slow.py", f"""\
        import time

        def upgrade(db):
            db._execute_dml("{CREATE_ITEM}", [])
            print("started", flush=True)
            time.sleep(60)
        """)
    argv = [sys.executable, "-m", "nextorm.migrations.cli", "migrate", "--module", "myapp.models"]
    proc = subprocess.Popen(argv, cwd=project.root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout.readline().startswith("Migrating ")
    assert proc.stdout.readline() == "Applying 0001_slow.py ...started\n"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert [line for line in err.splitlines() if line] == ["error: interrupted (Ctrl-C)"], err
    assert "item" not in project.tables()
    assert project.applied() == []


def test_sys_exit_in_a_migration_is_a_failure(project):
    project.write_migration("0001_initial.py", f"""\
        import sys

        def upgrade(db):
            db._execute_dml("{CREATE_ITEM}", [])
            sys.exit(0)
        """)
    result = project.run("migrate")
    assert result.code == 1, result
    line = one_error_line(result)
    assert line.startswith("error: migrations/0001_initial.py line 5 upgrade failed"), line
    assert ": SystemExit: 0" in line, line
    assert project.applied() == []
    if project.target.provider != "mysql":  # MariaDB committed the CREATE; it says so
        assert "item" not in project.tables()


def test_sys_exit_when_importing_is_a_failure(sqlite_project):
    sqlite_project.write_migration("0001_initial.py", "import sys\n\nsys.exit(0)\n")
    sqlite_project.write_models("import sys\n\nsys.exit(0)\n")
    result = sqlite_project.run("showmigrations")
    assert result.code == 1, result
    assert one_error_line(result) == (
        "error: importing myapp.models (myapp/models.py line 3) failed: SystemExit: 0")
    assert_untouched(sqlite_project)
    sqlite_project.write_models()
    result = sqlite_project.run("migrate")
    assert result.code == 1, result
    assert one_error_line(result) == (
        "error: migrations/0001_initial.py line 3: importing the migration raised SystemExit: 0")
    assert sqlite_project.applied() == []


def test_connection_error_hides_the_password(project):
    """A wrong password or database: the error names the server, never the password."""
    if project.target.provider == "sqlite":
        return  # no password to hide
    base = project.target.url.split("?")[0].rsplit("/", 1)[0]  # scheme://user@host:port
    url = base.replace("@", ":s3cr3t-pw@", 1) + "/no_such_db_x"
    project.write_models("from nextorm import Database\n\n"
                         f"db = Database(entities=[])\n"
                         f"db.bind({project.target.provider!r}, {url!r})\n")
    result = project.run("showmigrations")
    assert result.code == 1, result
    line = one_error_line(result)
    assert "s3cr3t-pw" not in line and ":***@" in line, line


def test_commit_inside_a_migration_is_refused(transactional_project):
    """A COMMIT in upgrade() would leave a half-applied, unrecorded migration behind."""
    project = transactional_project
    project.write_migration("0001_initial.py", f"""\
        def upgrade(db):
            db._execute_dml("{CREATE_ITEM}", [])
            db._execute_dml("COMMIT", [])
            db._execute_dml("INSERT INTO item (id, name) VALUES (1, 'a')", [])
        """)
    result = project.run("migrate")
    assert result.code == 1, result
    assert one_error_line(result) == (
        "error: migrations/0001_initial.py upgrade failed and was rolled back: COMMIT is not "
        "allowed in a migration: migrate runs each migration in one transaction and commits "
        "it; remove the statement")
    assert project.applied() == []
    assert "item" not in project.tables()


def test_mariadb_fake_of_a_failed_migration_says_only_what_it_did(mysql_project):
    project = mysql_project
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_broken.py", """\
        def upgrade(db):
            db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])
            db._execute_dml("INSERT INTO missing_table (id) VALUES (1)", [])
        """)
    assert project.run("migrate").code == 1
    faked = project.run("migrate", "--fake", "0002")
    assert faked.code == 0, faked
    assert steps(faked.out) == ["Faked 0002_broken.py"], faked
    assert project.applied() == ["0001_initial.py", "0002_broken.py"]
