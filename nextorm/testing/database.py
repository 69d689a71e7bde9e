"""TestDatabase: the app's own ``Database``, pointed at a throw-away database for a test session.

``open()`` makes the scratch database (``scratch.py``), imports the app's module the way the
CLI does (``--module``/``--db-attr``, ``[tool.nextorm]``) with every ``bind()`` it runs sent
to the scratch database, or rebinds the Database if the module was imported earlier (test
modules usually import it while pytest collects them), then applies the project's migration
files with the runner - never ``create_tables``, so the tests run on the schema the real
history builds.  ``close()`` binds the Database as it was before (or leaves it unbound if the
plugin imported it) and drops the scratch database.

``rolled_back()`` runs a block in a transaction that is rolled back.  Code under test needs
no change: its ``db_session`` blocks, ``commit()`` and ``db.save()`` run in savepoints
nested in that transaction (a nested ``db.transaction()`` is a savepoint), so their writes
are visible to the test and undone after it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from ..database import Database
from ..errors import MigrationError
from .scratch import Scratch, create_scratch


class _RolledBack(Exception):
    """Raised at the end of a test's block so its transaction rolls back."""


class TestDatabase:
    """The app's Database on a fresh, migrated database for one test session."""

    __test__ = False  # pytest: not a test class, whatever its name

    def __init__(self, module: str, *, db_attr: str = "db", directory: str | Path = "migrations",
                 url: str | None = None, url_source: str = "the test database URL",
                 folder: str | Path | None = None, project: str | Path | None = None) -> None:
        """``url``: the server to create the test database on (None: an SQLite file in
        ``folder``); ``project``: the folder the module is imported from."""
        self.module, self.db_attr = module, db_attr
        self.directory = Path(directory)
        self.url, self.url_source = url, url_source
        self.project = Path(project) if project is not None else Path.cwd()
        self.folder = Path(folder) if folder is not None else self.project
        self.scratch: Scratch | None = None
        self._db: Database | None = None
        self._before: tuple[str, tuple[Any, ...], dict[str, Any]] | None = None
        #: The migration files applied to the test database, in order.
        self.applied: list[str] = []

    @property
    def db(self) -> Database:
        """The app's Database, bound to the test database while the session is open."""
        if self._db is None:
            raise MigrationError("the test database is not open: call open() first")
        return self._db

    # -- the session -----------------------------------------------------------------------

    def open(self, *, check_migrations: bool = False) -> Database:
        """Create the test database, point the app's Database at it, apply the migrations.

        ``check_migrations``: first refuse entities with changes no migration holds.
        """
        from ..migrations.loader import discover
        from ..migrations.project import load_database, make_importable
        from ..migrations.runner import MigrationRunner

        if not discover(self.directory):
            raise MigrationError(
                f"no migration files in {self.directory}: the test database is built from "
                "them (run makemigrations), or set nextorm_directory")
        self._before = self._binding_before()
        self.scratch = create_scratch(self.url, self.url_source, self.folder)
        try:
            make_importable(self.project)
            self._db = load_database(self.module, self.db_attr, self.project, mapped=True,
                                     bind=(self.scratch.provider, self.scratch.args))
            if check_migrations:
                self.check_migrations()
            steps = MigrationRunner(self._db, self.directory).migrate()
        except BaseException:
            self.close()
            raise
        self.applied = [s.name for s in steps if s.action == "applied"]
        return self._db

    def close(self) -> None:
        """Bind the app's Database as before the session, then drop the test database."""
        db, self._db = self._db, None
        if db is not None:
            db.unbind()
            if self._before is not None:
                provider, args, options = self._before
                db.bind(provider, *args, **options)
        scratch, self.scratch = self.scratch, None
        if scratch is not None:
            scratch.drop()

    def _binding_before(self) -> tuple[str, tuple[Any, ...], dict[str, Any]] | None:
        """How the app's Database is bound now, if its module was imported already."""
        module = sys.modules.get(self.module)
        db = getattr(module, self.db_attr, None) if module is not None else None
        if not isinstance(db, Database) or db.provider is None:
            return None
        args, kwargs = db.bind_args
        pool = getattr(db, "_pool", None)
        if pool is not None:
            kwargs = {**kwargs, "pool_min": pool.min_size, "pool_max": pool.max_size,
                      "pool_timeout": pool.timeout}
        return db.provider, args, dict(kwargs)

    def check_migrations(self) -> None:
        """Refuse entities with changes no migration holds: ``makemigrations --check``."""
        from ..migrations.generate import plan_migration
        from ..migrations.loader import display

        planned = plan_migration(self.db, self.directory, interactive=False)
        if planned is None:
            return
        steps = [op.describe().rstrip(".") for op in planned.operations]
        shown = "; ".join(steps[:3]) + (f"; and {len(steps) - 3} more" if len(steps) > 3 else "")
        raise MigrationError(
            f"the entities have changes that no migration holds ({shown}): makemigrations "
            f"would write {display(planned.path)}; run makemigrations and commit the file")

    # -- one test --------------------------------------------------------------------------

    @contextmanager
    def rolled_back(self, *, session: bool = False) -> Iterator[Database]:
        """Run the block in a transaction rolled back at its end (``session``: inside a
        ``db_session`` of the app's Database too, rolled back as well)."""
        from ..orm.context import db_session

        db = self.db
        try:
            with db.transaction(), (db_session(db) if session else nullcontext()):
                yield db
                raise _RolledBack
        except _RolledBack:
            pass
