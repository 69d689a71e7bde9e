"""A temporary user project and a way to type commands in it, as a user does.

``project`` is a folder with ``myapp/models.py`` (entities plus a ``db.bind(...)`` line for the
test's ``target`` database) and an empty ``migrations/``.  ``project.run("migrate")`` runs
``python -m nextorm.migrations.cli migrate --module myapp.models`` in a subprocess in that
folder and returns its exit code, stdout and stderr.  Checks read the database with a fresh
connection, never through the code under test.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

MODELS = """\
from nextorm import PK, Database, Entity, Req


class Item(Entity):
    id: PK[int]
    name: Req[str]


{var} = Database(entities=[Item])
{bind}
"""

#: SQL that reads the same on SQLite, PostgreSQL and MariaDB.
CREATE_ITEM = "CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL)"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class Project:
    def __init__(self, root: Path, target) -> None:
        self.root = root
        self.target = target
        self.migrations = root / "migrations"

    def write_models(self, source: str | None = None, *, var: str = "db",
                     path: str = "myapp/models.py") -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        init = file.parent / "__init__.py"
        if not init.exists():
            init.write_text("")
        if source is None:
            source = MODELS.format(var=var, bind=self.target.bind_source(var))
        file.write_text(source)

    def write_migration(self, filename: str, source: str, directory: str = "migrations") -> Path:
        folder = self.root / directory
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / filename
        path.write_text(textwrap.dedent(source))
        return path

    def run(self, *args: str, module: str | None = "myapp.models", timeout: float = 120,
            command: list[str] | None = None, cwd: Path | None = None,
            in_process: bool | None = None) -> Result:
        """Run a CLI command in the project, as a user types it.

        By default it runs in this process (``nextorm.migrations.cli.run`` with the project
        folder passed in); with ``command=`` (a console script) or ``in_process=False`` it
        starts a real process, for the end-to-end tests.
        """
        argv = list(args) + (["--module", module] if module is not None else [])
        if in_process is None:
            in_process = command is None
        if in_process:
            return run_in_process(argv, cwd or self.root)
        full = list(command or [sys.executable, "-m", "nextorm.migrations.cli"]) + argv
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        proc = subprocess.run(full, cwd=cwd or self.root, capture_output=True, text=True,
                              timeout=timeout, env=env)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def run_in_terminal(self, answers: dict[bytes, list[bytes]]) -> bytes:
        """Run makemigrations on a pseudo-terminal, typing the answers when a prompt shows."""
        import pty
        import select

        main, secondary = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "nextorm.migrations.cli", "makemigrations", "--module",
             "myapp.models"], cwd=self.root, stdin=secondary, stdout=secondary, stderr=secondary)
        os.close(secondary)
        seen, answered = b"", 0
        while True:
            ready, _, _ = select.select([main], [], [], 30)
            if not ready:
                proc.kill()
                pytest.fail(f"no output in 30 s: {seen!r}")
            try:
                chunk = os.read(main, 1024)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            for prompt, typed in answers.items():
                if seen.count(prompt) > answered and seen.rstrip().endswith(b":") and typed:
                    os.write(main, typed.pop(0) + b"\n")
                    answered += 1
        os.close(main)
        assert proc.wait(timeout=30) == 0, seen
        return seen

    def popen(self, *args: str) -> subprocess.Popen:
        argv = [sys.executable, "-m", "nextorm.migrations.cli", *args, "--module", "myapp.models"]
        return subprocess.Popen(argv, cwd=self.root, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    # -- reading the database with a fresh connection ----------------------------------------

    def query(self, sql: str, params=()) -> list[tuple]:
        from nextorm import Database

        db = Database(entities=[])
        self.target.bind(db)
        try:
            return db._execute(sql, params)
        finally:
            db.disconnect()

    def tables(self) -> set[str]:
        if self.target.provider == "sqlite" and not Path(self.target.url).exists():
            return set()
        return set(self.target.raw_tables())

    def applied(self) -> list[str]:
        """File names recorded as applied, in number order."""
        if "_nextorm_migrations" not in self.tables():
            return []
        rows = self.query("SELECT version, name FROM _nextorm_migrations WHERE status = 'applied'")
        return [name for _, name in sorted(rows, key=lambda r: int(r[0]))]


def run_in_process(argv: list[str], cwd: Path) -> Result:
    """Run the CLI in this process, capturing its output; forget the project's modules after.

    Every project names its module ``myapp.models``: what one command imported must not be
    found by the next (the file may have changed, or it is another test's project).
    """
    from nextorm.migrations.cli import run

    out, err = io.StringIO(), io.StringIO()
    path_before, modules_before = list(sys.path), set(sys.modules)
    # A models file rewritten within a second at the same size would pass a cached .pyc.
    sys.dont_write_bytecode = True
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(argv, cwd=cwd)
    finally:
        sys.path[:] = path_before
        forget_project_modules(set(sys.modules) - modules_before)
    return Result(code, out.getvalue(), err.getvalue())


#: Where modules that are not a test project's come from (libraries, NextORM itself).
_INSTALLED = (sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2]))


def forget_project_modules(imported: set[str]) -> None:
    """Drop the project modules among ``imported`` (closing their databases), and their entities."""
    from nextorm import Database
    from nextorm.entity import DECLARED_ENTITIES

    names = [name for name in imported
             if not str(getattr(sys.modules.get(name), "__file__", "") or "").startswith(_INSTALLED)]
    for name in names:
        module = sys.modules.pop(name)
        for value in vars(module).values():
            if isinstance(value, Database):
                value.disconnect()
    DECLARED_ENTITIES[:] = [e for e in DECLARED_ENTITIES if e.__module__ not in names]
    importlib.invalidate_caches()


def make_project(tmp_path: Path, target) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    p = Project(root, target)
    p.write_models()
    p.migrations.mkdir()
    return p


@pytest.fixture
def project(tmp_path: Path, target) -> Project:
    """A project on each of the three databases in turn."""
    return make_project(tmp_path, target)


@pytest.fixture
def sqlite_project(tmp_path: Path, sqlite_target) -> Project:
    return make_project(tmp_path, sqlite_target)


@pytest.fixture
def mysql_project(tmp_path: Path, mysql_target) -> Project:
    return make_project(tmp_path, mysql_target)


@pytest.fixture
def postgres_project(tmp_path: Path, postgres_target) -> Project:
    return make_project(tmp_path, postgres_target)


@pytest.fixture(params=["sqlite", "postgres"])
def transactional_project(request: pytest.FixtureRequest, tmp_path: Path) -> Project:
    """A project on a server with transactional DDL (MariaDB's case has tests of its own)."""
    return make_project(tmp_path, request.getfixturevalue(f"{request.param}_target"))
