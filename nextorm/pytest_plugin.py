"""The pytest plugin (entry point ``pytest11: nextorm``): a migrated test database for the
user's own tests, with the app's own ``Database`` pointed at it.  See ``docs/testing.md``.

It is installed with the package, so every pytest run loads this module; it stays inert
unless the project opts in:

- ``nextorm_module = myapp.models`` in the pytest configuration, or ``nextorm_enabled = true``
  with ``module`` under ``[tool.nextorm]``: the test database is made for the whole session
  (an autouse session fixture), so no test can reach the app's real database;
- or a test asks for one of the fixtures (``nextorm_db``, ``nextorm_session``,
  ``nextorm_database``): the test database is made when the first one is used.

Inert means: two option groups are added and nothing else runs; this module imports only
pytest and the standard library (the ORM, the migration system and the user's module are
imported when the test database is made).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .database import Database
    from .testing.database import TestDatabase

#: The environment variable naming the server to create the test database on.
URL_ENV = "NEXTORM_TEST_DATABASE_URL"

_INI: list[tuple[str, str, Any]] = [
    ("nextorm_module", "NextORM: module that defines and binds the app's Database (turns the "
                       "test database on for every test)", "string"),
    ("nextorm_enabled", "NextORM: turn the test database on, with module from "
                        "[tool.nextorm] (default false)", "bool"),
    ("nextorm_db_attr", "NextORM: attribute of the module holding the Database (default db)",
     "string"),
    ("nextorm_directory", "NextORM: the migrations directory (default migrations/)", "string"),
    ("nextorm_database_url", "NextORM: server to create the test database on (default: a "
                             "temporary SQLite file)", "string"),
    ("nextorm_check_migrations", "NextORM: fail when the entities have changes no migration "
                                 "holds (default false)", "bool"),
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nextorm", "NextORM test database")
    group.addoption("--nextorm-database-url", metavar="URL", default=None,
                    help=f"server to create the test database on (default: ${URL_ENV}, "
                         "else a temporary SQLite file)")
    group.addoption("--nextorm-check-migrations", action="store_true", default=False,
                    help="fail when the entities have changes no migration holds")
    for name, text, kind in _INI:
        parser.addini(name, text, type=kind, default=False if kind == "bool" else "")


def pytest_configure(config: pytest.Config) -> None:
    if config.getini("nextorm_module") or config.getini("nextorm_enabled"):
        from .testing import autouse  # its autouse fixture: only when the project opted in

        config.pluginmanager.register(autouse, "nextorm-every-test")


@pytest.fixture(scope="session")
def nextorm_database(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabase]:
    """The session's test database (``nextorm.testing.TestDatabase``): made, the app's
    Database bound to it and migrated; dropped at the end of the session."""
    from .errors import NextORMError
    from .testing.database import TestDatabase

    settings = _settings(request.config)
    test_db = TestDatabase(folder=tmp_path_factory.mktemp("nextorm"), **settings)
    try:
        test_db.open(check_migrations=_check_migrations(request.config))
    except NextORMError as exc:
        failure = f"nextorm: {exc}"
    else:
        failure = ""
    if failure:  # failed outside the except block: one line, without the chained error
        pytest.fail(failure, pytrace=False)
    yield test_db
    test_db.close()


@pytest.fixture
def nextorm_db(nextorm_database: TestDatabase) -> Iterator[Database]:
    """The app's Database, on the test database, inside a transaction rolled back after the
    test; the test's and the code's own ``db_session`` blocks run in savepoints of it."""
    with nextorm_database.rolled_back() as db:
        yield db


@pytest.fixture
def nextorm_session(nextorm_database: TestDatabase) -> Iterator[Database]:
    """``nextorm_db`` with a ``db_session`` open around the test, rolled back after it."""
    with nextorm_database.rolled_back(session=True) as db:
        yield db


def _settings(config: pytest.Config) -> dict[str, Any]:
    """The TestDatabase's arguments: pytest's options and ini, then ``[tool.nextorm]``."""
    from .migrations.project import find_config

    project = find_config(config.rootpath)
    module = config.getini("nextorm_module") or project.get("module")
    if not module:
        pytest.fail("nextorm: no module: set nextorm_module = myapp.models in the pytest "
                    "configuration, or module under [tool.nextorm] in pyproject.toml",
                    pytrace=False)
    ini_folder = config.inipath.parent if config.inipath else config.rootpath
    directory = config.getini("nextorm_directory")
    url, source = _database_url(config)
    return {
        "module": module,
        "db_attr": config.getini("nextorm_db_attr") or project.get("db-attr") or "db",
        "directory": (ini_folder / directory if directory else
                      Path(project.get("directory") or (project.root or ini_folder) /
                           "migrations")),
        "url": url, "url_source": source,
        "project": project.root or config.rootpath,
    }


def _database_url(config: pytest.Config) -> tuple[str | None, str]:
    """The server URL and where it came from: option, environment, then ini."""
    option = config.getoption("--nextorm-database-url")
    if option:
        return option, "--nextorm-database-url"
    if os.environ.get(URL_ENV, "").strip():
        return os.environ[URL_ENV].strip(), URL_ENV
    return config.getini("nextorm_database_url") or None, "nextorm_database_url"


def _check_migrations(config: pytest.Config) -> bool:
    return bool(config.getoption("--nextorm-check-migrations")
                or config.getini("nextorm_check_migrations"))
