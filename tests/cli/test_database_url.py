"""``--database-url`` and ``DATABASE_URL``: one module, many environments.

The module binds a server that does not exist (port 1, a password in its URL): a command that
connected to it first would fail, so every success here proves the override won before the
module's own ``bind()`` could connect.  Checks read the target database with a fresh
connection.
"""

from __future__ import annotations

import pytest

#: The module's own bind: nothing listens on port 1, so connecting to it fails at once.
NOWHERE = {
    "sqlite": "db.bind('sqlite', '/nonexistent-folder/app.db')",
    "postgres": "db.bind('postgres', 'postgresql://app:topsecret@127.0.0.1:1/prod')",
    "mysql": "db.bind('mysql', 'mysql://app:topsecret@127.0.0.1:1/prod')",
}


def url_of(target) -> str:
    """The target database as a URL (SQLite: ``sqlite:////absolute/path``)."""
    if target.provider == "sqlite":
        return "sqlite:///" + target.url
    return target.url


def write_models(project, bind: str) -> None:
    """The project's models (tests/cli/conftest.py) with ``bind`` as their bind line."""
    project.write_models()
    models = project.root / "myapp" / "models.py"
    text = models.read_text()
    assert project.target.bind_source() in text
    models.write_text(text.replace(project.target.bind_source(), bind))


def write_elsewhere_models(project) -> None:
    write_models(project, NOWHERE[project.target.provider])


def test_database_url_wins_over_the_modules_bind_without_connecting_to_it(project):
    write_elsewhere_models(project)
    url = url_of(project.target)
    made = project.run("makemigrations", "--database-url", url)
    assert made.code == 0, made
    applied = project.run("migrate", "--database-url", url)
    assert applied.code == 0, applied
    assert project.applied() == ["0001_initial.py"]
    assert "item" in project.tables()
    shown = project.run("showmigrations", "--database-url", url)
    assert shown.out.startswith("[x] 0001_initial.py"), shown


def test_environment_variable_is_used_and_the_option_wins_over_it(project, monkeypatch):
    write_elsewhere_models(project)
    (project.migrations / "0001_initial.py").write_text(
        "def upgrade(db):\n"
        "    db._execute_dml('CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY)')\n")
    monkeypatch.setenv("DATABASE_URL", url_of(project.target))
    applied = project.run("migrate")
    assert applied.code == 0, applied
    assert project.applied() == ["0001_initial.py"]

    monkeypatch.setenv("DATABASE_URL", "postgresql://app:topsecret@127.0.0.1:1/prod")
    shown = project.run("showmigrations", "--database-url", url_of(project.target))
    assert (shown.code, shown.out.split()[:2]) == (0, ["[x]", "0001_initial.py"]), shown


def test_a_module_that_binds_nothing_takes_the_url(project, monkeypatch):
    write_models(project, "# bound by DATABASE_URL")
    refused = project.run("showmigrations")
    assert refused.code == 1
    assert "is not bound" in refused.err and "DATABASE_URL" in refused.err, refused
    monkeypatch.setenv("DATABASE_URL", url_of(project.target))
    assert project.run("makemigrations").code == 0
    applied = project.run("migrate")
    assert applied.code == 0, applied
    assert "item" in project.tables()


@pytest.mark.parametrize("url", [
    "postgresql://app:topsecret@127.0.0.1:1/prod",
    "postgres+psycopg://app:topsecret@127.0.0.1:1/prod",
    "mariadb://app:topsecret@127.0.0.1:1/prod",
    "mysql+pymysql://app:topsecret@127.0.0.1:1/prod",
])
def test_the_password_is_masked_when_the_server_cannot_be_reached(sqlite_project, monkeypatch,
                                                                  url):
    for result in (sqlite_project.run("migrate", "--database-url", url),
                   _with_env(sqlite_project, monkeypatch, url)):
        assert result.code == 1, result
        assert "topsecret" not in result.out + result.err
        assert "app:***@127.0.0.1:1/prod" in result.err, result
        assert result.err.count("\n") == 1, result


def _with_env(project, monkeypatch, url: str):
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        return project.run("showmigrations")
    finally:
        monkeypatch.delenv("DATABASE_URL")


def test_a_url_that_names_no_server_is_one_error_line(sqlite_project, monkeypatch):
    bad = sqlite_project.run("migrate", "--database-url", "oracle://u:topsecret@h/x")
    assert bad.code == 1
    assert bad.err.startswith("error: --database-url 'oracle://u:***@h/x' is not a database URL")
    assert "topsecret" not in bad.err
    monkeypatch.setenv("DATABASE_URL", "just-a-file.db")
    bad = sqlite_project.run("showmigrations")
    assert bad.err.startswith("error: DATABASE_URL 'just-a-file.db' is not a database URL"), bad


def test_a_relative_sqlite_url_is_relative_to_where_the_command_is_typed(sqlite_project):
    write_elsewhere_models(sqlite_project)
    assert sqlite_project.run("makemigrations", "--database-url", "sqlite:///other.db").code == 0
    applied = sqlite_project.run("migrate", "--database-url", "sqlite:///data/../other.db")
    assert applied.code == 0, applied
    assert (sqlite_project.root / "other.db").exists()
    assert "sqlite" in applied.out and "other.db" in applied.out
