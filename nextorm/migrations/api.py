"""The Python API of the guide: ``makemigrations``, ``migrate`` and ``showmigrations``.

::

    from nextorm import makemigrations, migrate, showmigrations
    makemigrations(db, directory="migrations/", name="initial")   # path written, or None
    migrate(db, directory="migrations/")                          # steps taken
    showmigrations(db, directory="migrations/")                   # one status per migration
    check(db, directory="migrations/")                            # drift report
    rebuild_snapshot(db, directory="migrations/")                 # snapshot from the database

``migrate`` and ``showmigrations`` never import the generator (black, DeepDiff, Jinja);
``makemigrations`` imports it when called.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .runner import MigrationRunner, MigrationStatus, Step

PathLike = str | os.PathLike[str]


def migrate(db: Any, directory: PathLike = "migrations/", fake: bool = False, *,
            target: str | int | None = None, accept_changed: bool = False, retry: bool = False,
            report: Callable[[Step], None] | None = None) -> list[Step]:
    """Apply the pending migrations (or move to ``target``; ``"zero"`` undoes all)."""
    runner = MigrationRunner(db, directory, report=report)
    return runner.migrate(target, fake=fake, accept_changed=accept_changed, retry=retry)


def showmigrations(db: Any, directory: PathLike = "migrations/") -> list[MigrationStatus]:
    """Return the status of every migration; reads only, creates nothing."""
    return MigrationRunner(db, directory).showmigrations()


def sqlmigrate(db: Any, version: str | int, directory: PathLike = "migrations/", *,
               backwards: bool = False) -> list[str]:
    """Return the SQL statements a migration would run, without running them."""
    return MigrationRunner(db, directory).sqlmigrate(version, backwards=backwards)


def makemigrations(db: Any, directory: PathLike = "migrations/", name: str | None = None,
                   **options: Any) -> str | None:
    """Write the next migration from the entity changes; return its path, or None."""
    from .generate import makemigrations as generate  # the generator is imported on demand

    return generate(db, str(directory), name, **options)


def check(db: Any, directory: PathLike = "migrations/") -> Any:
    """Compare database, applied migrations and entities; return a ``DriftReport``."""
    from .drift import check_drift

    return check_drift(db, directory)


def rebuild_snapshot(db: Any, directory: PathLike = "migrations/") -> Any:
    """Rebuild ``.schema_snapshot.json`` from a database with every migration applied."""
    from .rebuild import rebuild_snapshot as rebuild

    return rebuild(db, directory)
