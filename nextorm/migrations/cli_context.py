"""The options of one CLI invocation: command line, then ``[tool.nextorm]``, then defaults.

``Context`` merges them, finds the project folder (the nearest pyproject.toml) and loads the
user's Database; the option decorators are shared by the commands that take them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from ..errors import MigrationError, NextORMError, SQLError
from .database_url import chosen_url
from .loader import DISPLAY_BASE, display
from .project import ProjectConfig, load_database, make_importable

if TYPE_CHECKING:
    from pathlib import Path


class Failure(Exception):
    """Stop with exit code 1 without printing an error line (the output said it all)."""


class Context:
    """The options of one invocation, merged: command line, then [tool.nextorm], then defaults."""

    def __init__(self, config: ProjectConfig, root_options: dict[str, Any],
                 cwd: Path | None = None) -> None:
        self.config = config
        self.root = root_options
        #: Where the command runs, and the project folder (where the default migrations/ is
        #: and paths are shown from), as strings: ``started_in`` and ``project`` are their
        #: ``Path``s, made when a command needs one (``migrate`` does not).
        self.started_dir = os.getcwd() if cwd is None else os.fspath(cwd)
        self.project_dir = config.folder or self.started_dir
        self._cwd = cwd
        DISPLAY_BASE.set(self.project_dir)
        if cwd is None and self.project_dir != self.started_dir:
            # The command as a user types it runs as if started in the project folder, so the
            # module's relative paths (a SQLite file) mean the same from any sub-folder.
            # (Called in process with ``cwd``, nothing changes the process's folder.)
            os.chdir(self.project_dir)

    @property
    def started_in(self) -> Path:
        """The folder the command was started in."""
        if self._cwd is not None:
            return self._cwd
        from pathlib import Path

        return Path(self.started_dir)

    @property
    def project(self) -> Path:
        """The project folder: where the default migrations/ is and paths are shown from."""
        if self.config.root is not None:
            return self.config.root
        return self.started_in

    def option(self, local: dict[str, Any], name: str, default: Any = None) -> Any:
        for value in (local.get(name), self.root.get(name),
                      self.config.get(name.replace("_", "-"))):
            if value not in (None, False, ()):
                return value
        return default

    @contextmanager
    def reading(self, db: Any) -> Iterator[None]:
        """Name the database in an error that is not a migration's own (file, lock, table)."""
        try:
            yield
        except SQLError as exc:
            where = (display(db.sqlite_filename) if db.sqlite_filename
                     else f"the {db.provider} database")
            raise MigrationError(f"{where}: {exc}") from None

    def database(self, local: dict[str, Any], *, mapped: bool = True) -> Any:
        """The user's Database; ``mapped=False`` for commands that only run or list files."""
        module = self.option(local, "module")
        if not module:
            raise click.UsageError(
                "--module is required (or set module = \"...\" under [tool.nextorm] in "
                "pyproject.toml)"
            )
        make_importable(self.project_dir, self.started_dir)
        db = load_database(module, self.option(local, "db_attr", "db"), self.started_dir,
                           mapped=mapped, bind=self.database_url(local))
        return db

    def database_url(self, local: dict[str, Any]) -> tuple[str, tuple[Any, ...]] | None:
        """``(provider, args)`` of ``--database-url``, else ``$DATABASE_URL``, else None."""
        chosen = chosen_url(self.option(local, "database_url"))
        if chosen is None:
            return None
        from ..urls import parse_url  # a URL was given: only then is one parsed

        url, source = chosen
        return parse_url(url, source, self.started_in)

    def target(self, local: dict[str, Any], *, mapped: bool = False) -> Any:
        """The Database to write SQL for: ``--dialect`` alone (no import, no connection), or
        the module's bound Database, imported without connecting (it connects at its first
        statement: ``migrate --sql`` reading the tracking table, never ``sqlmigrate``)."""
        from .offline import OfflineDatabase, without_connecting

        provider = self.option(local, "dialect")
        if provider:
            try:
                return OfflineDatabase(provider)
            except NextORMError as exc:
                raise click.UsageError(f"--dialect {provider}: {exc}") from None
        with without_connecting():
            return self.database(local, mapped=mapped)

    def path(self, local: dict[str, Any], name: str, default: str | None = None) -> str | None:
        """A path option; one typed on the command line is relative to where the user is."""
        value = self.option(local, name)
        return str(self.started_in / value) if value else default

    def directory(self, local: dict[str, Any]) -> str:
        return self.path(local, "directory") or os.path.join(self.project_dir, "migrations")

    def quiet(self, local: dict[str, Any]) -> bool:
        return bool(self.option(local, "quiet", False))


def common_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add --module, --db-attr, --database-url, --directory and -q to a command."""
    options = [
        click.option("--module", "-m", metavar="MODULE",
                     help="Python module that defines and binds the Database."),
        click.option("--db-attr", metavar="NAME", help="Attribute of the module (default db)."),
        click.option("--database-url", metavar="URL",
                     help="Database to use instead of the module's bind (default: "
                          "$DATABASE_URL), e.g. postgresql://user:pw@host/name."),
        click.option("--directory", "-d", metavar="PATH",
                     help="Migrations directory (default migrations/)."),
        click.option("--quiet", "-q", is_flag=True, default=None,
                     help="Print errors only."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def generator_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the makemigrations options."""
    options = [
        click.option("--name", "-n", metavar="LABEL", help="Suffix of the new file's name."),
        click.option("--empty", is_flag=True, help="Write an empty migration to fill by hand."),
        click.option("--check", is_flag=True,
                     help="Write nothing; exit 1 if a migration is needed (for CI)."),
        click.option("--dry-run", is_flag=True, help="Print the file instead of writing it."),
        click.option("--rename", "renames", multiple=True, metavar="TABLE.OLD=NEW",
                     help="A column was renamed (repeatable)."),
        click.option("--rename-table", "table_renames", multiple=True, metavar="OLD=NEW",
                     help="A table was renamed (repeatable)."),
        click.option("--default", "defaults", multiple=True, metavar="TABLE.COLUMN=VALUE",
                     help="Value existing rows get for a NOT NULL column (repeatable)."),
        click.option("--templates", metavar="DIR", help="Project template folder."),
        click.option("--no-input", is_flag=True, help="Never ask questions, even on a terminal."),
        click.option("--concurrent-indexes", is_flag=True, default=None,
                     help="PostgreSQL: build indexes on existing tables CONCURRENTLY."),
        click.option("--dialect", "dialects", multiple=True, metavar="NAME",
                     help="A server the file is for (repeatable: a part per server; default: "
                          "[tool.nextorm] dialects, else the bound server)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def migrate_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the migrate options."""
    options = [
        click.option("--fake", is_flag=True, default=None,
                     help="Record migrations as applied without running them."),
        click.option("--accept-changed", is_flag=True, default=None,
                     help="Accept applied files that were edited or deleted."),
        click.option("--retry", is_flag=True, default=None,
                     help="Resume (or run again) a migration that stopped half-way on MariaDB."),
        click.option("--allow-out-of-order", is_flag=True, default=None,
                     help="Apply a pending migration numbered below an applied one."),
        click.option("--lock-timeout", metavar="SECONDS",
                     help="How long a statement waits for a lock (default 5; 0: off)."),
        click.option("--lock-retries", metavar="N",
                     help="How often a statement that timed out is retried (default 5)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def say(ctx: Context, local: dict[str, Any], text: str, **style: Any) -> None:
    if not ctx.quiet(local):
        click.secho(text, **style)


def offline_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add --dialect (write SQL for a server without importing the module or connecting)."""
    return click.option(
        "--dialect", metavar="NAME",
        help="Server to write the SQL for (sqlite, postgres, mysql) without importing the "
             "module or connecting.")(function)

