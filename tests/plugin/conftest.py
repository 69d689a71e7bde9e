"""A user's project for the pytest plugin's tests, and the server its test database goes on.

``user_project`` copies a small app into ``pytester``'s folder: ``myapp/models.py`` binds its
Database to a *real* SQLite file, ``real.db`` (the database the tests must never touch),
``myapp/services.py`` is code under test that commits, and ``migrations/`` holds the initial
migration, written once per session by the real ``makemigrations`` command.  Its
``run(...)`` runs pytest in a subprocess there (the plugin is loaded through its installed
``pytest11`` entry point, as in a user's project) with the test database on ``server``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FILES = {
    "pyproject.toml": """\
        [tool.nextorm]
        module = "myapp.models"
        """,
    "myapp/__init__.py": "",
    "myapp/models.py": """\
        from nextorm import PK, Database, Entity, Req

        REAL_BIND = {real!r}  # the app's real database: the tests must never touch it


        class Item(Entity):
            id: PK[int]
            name: Req[str]


        db = Database(entities=[Item])
        db.bind(*REAL_BIND)
        """,
    "myapp/services.py": """\
        from nextorm import commit, db_session

        from .models import Item, db


        @db_session
        def add_item(name):
            Item(name=name)


        def add_two_committing(first, second):
            with db_session:
                Item(name=first)
                commit()
                Item(name=second)


        def add_raw(name):
            db.execute("INSERT INTO item (name) VALUES (?)", name)


        def count():
            with db_session:
                return Item.select().count()
        """,
}


@pytest.fixture(scope="session")
def app_templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """``template(provider, server)``: the app with its initial migration for that server,
    written once per server by ``nextorm makemigrations`` (migration files are rendered for
    one kind of database)."""
    made: dict[str, Path] = {}

    def template(provider: str, server: str) -> Path:
        if provider not in made:
            root = tmp_path_factory.mktemp(f"plugin_app_{provider}")
            write_files(root, FILES, real=(provider, server))
            subprocess.run([sys.executable, "-m", "nextorm.migrations.cli", "makemigrations",
                            "--no-input", "-q", f"--database-url={server}"], cwd=root, check=True)
            assert (root / "migrations" / "0001_initial.py").is_file()
            made[provider] = root
        return made[provider]

    return template


def write_files(root: Path, files: dict[str, str], **values: object) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).format(**values) if values else
                                 textwrap.dedent(text), encoding="utf-8")


def server_of(target: Any) -> str:
    """The URL of the server ``target`` is on (what the plugin makes its test database on),
    or an SQLite URL."""
    if target.provider == "sqlite":
        return "sqlite:///app.db"
    return os.environ[{"postgres": "NEXTORM_PG_URL", "mysql": "NEXTORM_MYSQL_URL"}[target.provider]]


@dataclass
class UserProject:
    """The app in pytester's folder; its real database is ``target`` (a file, or a fresh
    schema/database of the root conftest)."""

    pytester: pytest.Pytester
    target: Any

    @property
    def root(self) -> Path:
        return self.pytester.path

    @property
    def provider(self) -> str:
        return str(self.target.provider)

    @property
    def server(self) -> str | None:
        """The server the plugin is told to use (None: its default, an SQLite file)."""
        return None if self.provider == "sqlite" else server_of(self.target)

    def write(self, name: str, text: str) -> None:
        write_files(self.root, {name: text})

    def run(self, *args: str, url_option: bool = True) -> pytest.RunResult:
        """pytest in a subprocess in the project; the server given as the option.  A
        deprecation pytest announces for its next major version is an error: the plugin must
        not warn in a user's every run."""
        if url_option and self.server is not None:
            args = (f"--nextorm-database-url={self.server}", *args)
        return self.pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-W", "error::pytest.PytestRemovedIn10Warning", *args)

    def real_state(self) -> tuple[list[str], list[tuple[object, ...]]] | None:
        """The real database's tables and item rows (None: its SQLite file does not exist),
        read with a fresh connection."""
        if self.provider == "sqlite" and not Path(self.target.url).exists():
            return None
        db = self._connect(self.target.url)
        try:
            tables = sorted(db.table_names())
            rows = db._execute("SELECT * FROM item ORDER BY id") if "item" in tables else []
            return tables, rows
        finally:
            db.disconnect()

    def scratch_exists(self, name: str) -> bool:
        """Whether the server still has the schema/database ``name``."""
        db = self._connect(self.server)
        try:
            return bool(db._execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", [name]))
        finally:
            db.disconnect()

    def _connect(self, url: str | None) -> Any:
        from nextorm import Database

        db = Database(entities=[])
        db.bind(self.provider, url)
        return db


@pytest.fixture
def user_project(pytester: pytest.Pytester, app_templates: Callable[[str, str], Path],
                 target: Any) -> UserProject:
    real = (target.provider, target.url)
    shutil.copytree(app_templates(target.provider, server_of(target)), pytester.path,
                    dirs_exist_ok=True)
    write_files(pytester.path, {"myapp/models.py": FILES["myapp/models.py"]}, real=real)
    return UserProject(pytester, target)
