"""One test per user mistake: a one-line message, the exit code, and nothing changed."""

from __future__ import annotations

from pathlib import Path

from support.cli import INITIAL, assert_untouched, one_error_line


def test_missing_module(project):
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate", module="myapp.missing")
    assert result.code == 1
    line = one_error_line(result)
    assert line.startswith(
        "error: cannot import module 'myapp.missing' (--module): no module named "
        "'myapp.missing' in "), line
    assert line.endswith("; run from your project folder")
    assert_untouched(project)


def test_module_whose_import_fails_names_file_and_line(project):
    project.write_models("import nextorm\nimport yaml_that_is_not_installed\n")
    result = project.run("migrate")
    assert result.code == 1
    assert one_error_line(result) == (
        "error: importing myapp.models (myapp/models.py line 2) failed: ModuleNotFoundError: "
        "No module named 'yaml_that_is_not_installed'")
    assert_untouched(project)


def test_missing_attribute(project):
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("showmigrations", "--db-attr", "database")
    assert result.code == 1
    assert one_error_line(result) == (
        "error: module 'myapp.models' has no attribute 'database'; it has db "
        "(use --db-attr NAME)")
    assert_untouched(project)


def test_attribute_is_not_a_database(project):
    project.write_models("db = 'sqlite:///app.db'\n")
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate")
    assert result.code == 1
    assert one_error_line(result) == (
        "error: myapp.models.db is a str, not a nextorm Database (use --db-attr NAME)")
    assert_untouched(project)


def test_unbound_database(project):
    project.write_models("from nextorm import Database\n\ndb = Database(entities=[])\n")
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("migrate")
    assert result.code == 1
    assert one_error_line(result) == (
        "error: myapp.models.db is not bound: call db.bind(provider, ...) in myapp.models, "
        "or give --database-url / DATABASE_URL")
    assert_untouched(project)


def test_missing_directory(project):
    for command in ("migrate", "showmigrations"):
        result = project.run(command, "--directory", "db/migrations")
        assert result.code == 1
        assert one_error_line(result) == (
            "error: migrations directory 'db/migrations' does not exist: run makemigrations "
            "first or pass --directory")
    assert_untouched(project)


def test_syntax_error_in_a_migration(project):
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_broken.py", "def upgrade(db)\n    pass\n")
    result = project.run("migrate")
    assert result.code == 1
    assert one_error_line(result) == (
        "error: migrations/0002_broken.py line 1: syntax error: expected ':'")
    # checked before anything ran: 0001 was not applied either
    assert project.applied() == []
    assert "item" not in project.tables()


def test_module_option_missing(project):
    result = project.run("migrate", module=None)
    assert result.code == 2
    assert one_error_line(result).startswith("error: --module is required")


def test_unknown_option_is_a_usage_error(project):
    result = project.run("migrate", "--databse-url", "x")
    assert result.code == 2
    assert one_error_line(result) == (
        "error: no such option '--databse-url'. Did you mean '--database-url'? "
        "(see 'nextorm migrate --help')")
    assert_untouched(project)


def test_showmigrations_fails_loudly_when_database_is_unreachable(sqlite_project):
    project = sqlite_project
    project.write_models(
        "from nextorm import Database\n\ndb = Database(entities=[])\n"
        "db.bind('postgres', 'postgresql://root@127.0.0.1:1/nowhere?connect_timeout=3')\n")
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("showmigrations")
    assert result.code == 1
    line = one_error_line(result)
    assert line.startswith("error: importing myapp.models (myapp/models.py line 4): "
                           "cannot connect to postgres"), line
    assert "[ ]" not in result.out


def test_showmigrations_creates_no_sqlite_file(sqlite_project):
    project = sqlite_project
    project.write_migration("0001_initial.py", INITIAL)
    result = project.run("showmigrations")
    assert (result.code, result.out) == (0, "[ ] 0001_initial.py\n"), result
    assert not Path(project.target.url).exists()
