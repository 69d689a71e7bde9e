"""What migrate checks and says about the history: code checksums, order, the database, causes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.cli import ADD_ROW, INITIAL, one_error_line, steps


def test_reformatted_or_recommented_applied_file_is_not_edited(project):
    project.write_migration("0001_initial.py", INITIAL)
    second = project.write_migration("0002_add_row.py", ADD_ROW)
    assert project.run("migrate").code == 0
    # A human pass: black, a comment, a docstring. What runs is the same.
    black = subprocess.run([sys.executable, "-m", "black", "-q", "--line-length", "60",
                            str(second)], capture_output=True, text=True)
    assert black.returncode == 0, black.stderr
    second.write_text('"""Add alice."""\n# reviewed by bob\n' + second.read_text()
                      .replace("def upgrade(db):", "def upgrade(db):\n    \"\"\"Insert.\"\"\""))
    project.write_migration("0003_more.py", """
        def upgrade(db):
            db._execute_dml("INSERT INTO item (id, name) VALUES (2, 'bob')", [])
        """)
    shown = project.run("showmigrations")
    assert shown.out.splitlines()[1].startswith("[x] 0002_add_row.py"), shown
    assert "edited" not in shown.out, shown
    result = project.run("migrate")
    assert steps(result.out) == ["Applying 0003_more.py ... done"], result

    # A change to the code is still caught.
    second.write_text(second.read_text().replace('"alice"', '"alicia"'))
    refused = project.run("migrate")
    assert "edited since applied: 0002_add_row.py" in one_error_line(refused)


def test_rows_written_before_code_checksums_keep_working(sqlite_project):
    """A tracking table of the previous release (no code_checksum) is upgraded in place."""
    from nextorm.migrations.checksum import file_checksum

    project = sqlite_project
    first = project.write_migration("0001_initial.py", INITIAL)
    project.query("CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50))")
    project.query(
        "CREATE TABLE _nextorm_migrations (version VARCHAR(32) NOT NULL PRIMARY KEY, "
        "name VARCHAR(255) NOT NULL, applied_at VARCHAR(19) NOT NULL, checksum VARCHAR(64) "
        "NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'applied', progress INTEGER NOT NULL "
        "DEFAULT 0, error TEXT)")
    project.query("INSERT INTO _nextorm_migrations (version, name, applied_at, checksum) "
                  "VALUES ('0001', '0001_initial.py', '2026-01-01T00:00:00', ?)",
                  [file_checksum(first.read_bytes())])
    project.write_migration("0002_add_row.py", ADD_ROW)
    result = project.run("migrate")
    assert steps(result.out) == ["Applying 0002_add_row.py ... done"], result
    # The old row got its code checksum while its file was unchanged: a comment is fine now.
    first.write_text("# a note\n" + first.read_text())
    again = project.run("migrate")
    assert (again.code, again.out.strip()) == (0, "No migrations to apply."), again


def test_pending_migration_below_an_applied_one_is_refused(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0003_later.py", ADD_ROW)
    assert project.run("migrate").code == 0
    project.write_migration("0002_from_a_branch.py", """
        def upgrade(db):
            db._execute_dml("INSERT INTO item (id, name) VALUES (2, 'bob')", [])
        """)
    refused = project.run("migrate")
    assert one_error_line(refused) == (
        "error: 0002_from_a_branch.py is pending but 0003_later.py, numbered after it, is "
        "already applied: applying it now would run migrations out of order; renumber it "
        "after 0003_later.py, or run 'migrate --allow-out-of-order' to apply it anyway")
    assert project.query("SELECT COUNT(*) FROM item") == [(1,)]
    allowed = project.run("migrate", "--allow-out-of-order")
    assert steps(allowed.out) == ["Applying 0002_from_a_branch.py ... done"], allowed
    assert project.query("SELECT COUNT(*) FROM item") == [(2,)]


def test_migrate_names_the_database_with_the_password_masked(postgres_project):
    project = postgres_project
    url = project.target.url.replace("root@", "root:s3cret@")
    project.write_models(f"""\
from nextorm import PK, Database, Entity, Req


class Item(Entity):
    id: PK[int]
    name: Req[str]


db = Database(entities=[Item])
db.bind("postgres", {url!r})
""")
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate")
    assert result.code == 0, result
    first = result.out.splitlines()[0]
    assert first.startswith("Migrating postgres postgresql://root:***@127.0.0.1"), first
    assert "s3cret" not in result.out + result.err


def test_showmigrations_on_a_sqlite_path_that_cannot_be_opened(sqlite_project):
    project = sqlite_project
    project.write_migration("0001_initial.py", INITIAL)
    for path, why in ((project.root / "no_such_folder" / "app.db", "its folder"),
                      (project.root / "a_folder", "it is not a file")):
        if path.name == "a_folder":
            path.mkdir()
        project.write_models(
            project.root.joinpath("myapp/models.py").read_text()
            .replace(project.target.url, str(path)))
        project.target.url = str(path)
        result = project.run("showmigrations")
        line = one_error_line(result)
        assert line.startswith(f"error: cannot open the SQLite database {path}: "), line
        assert why in line, line
        assert not Path(path).is_file()


def test_first_migrate_after_create_tables_names_the_cause(project):
    project.write_models(project.root.joinpath("myapp/models.py").read_text()
                         + "db.generate_mapping(create_tables=True)\n")
    project.write_migration("0001_initial.py", INITIAL.replace("VARCHAR(50)", "VARCHAR(255)"))
    result = project.run("migrate")
    line = one_error_line(result)
    assert "already exist" in line.lower(), line
    assert "were created when the module was imported, by generate_mapping(create_tables=True)" \
        in line, line
    assert "'migrate --fake'" in line
