"""The Python API of the guide, in nextorm 0.5.1's shapes.

::

    from nextorm.migrations import makemigrations, migrate, showmigrations
    makemigrations(db, "add_email")              # Path written, or None (name 2nd, as in 0.5.1)
    makemigrations(db, directory="migrations/", name="initial")
    migrate(db, directory="migrations/")         # ['0001_initial.py', ...]: the files applied
    showmigrations(db, directory="migrations/")  # one MigrationStatus per migration
    check(db, directory="migrations/")           # drift report
    rebuild_snapshot(db, directory="migrations/")  # snapshot from the database
    adopt_051(db, directory="migrations/")       # take over a nextorm 0.5.1 history

``MigrationRunner(db, directory).migrate()`` returns the richer ``Step`` objects (action, name,
seconds) that the CLI prints.  ``migrate`` and ``showmigrations`` never import the generator
(black, DeepDiff, Jinja); ``makemigrations`` imports it when called.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import MigrationError
from .runner import MigrationRunner, MigrationStatus, Step

PathLike = str | os.PathLike[str]
#: The step actions that mean "this file's upgrade is now recorded".
FORWARD = ("applied", "faked")


def migrate(db: Any, directory: PathLike = "migrations/", fake: bool = False, *,
            target: str | int | None = None, accept_changed: bool = False, retry: bool = False,
            report: Callable[[Step], None] | None = None,
            lock_timeout: float | str | None = None,
            lock_retries: int | str | None = None) -> list[str]:
    """Apply the pending migrations; return the file names applied (or faked), as 0.5.1 does.

    ``target`` moves to a version instead (``"zero"`` undoes all); undone files are not in
    the result.  ``lock_timeout`` (seconds; default 5, 0: off) and ``lock_retries`` (default
    5) bound how long a statement waits for a lock (PostgreSQL, MariaDB).
    ``MigrationRunner.migrate`` returns every ``Step`` with its timing.
    """
    runner = MigrationRunner(db, directory, report=report, lock_timeout=lock_timeout,
                             lock_retries=lock_retries)
    steps = runner.migrate(target, fake=fake, accept_changed=accept_changed, retry=retry)
    return [s.name for s in steps if s.action in FORWARD]


def showmigrations(db: Any, directory: PathLike = "migrations/") -> list[MigrationStatus]:
    """Return the status of every migration; reads only, creates nothing."""
    return MigrationRunner(db, directory).showmigrations()


def sqlmigrate(db: Any, version: str | int, directory: PathLike = "migrations/", *,
               backwards: bool = False) -> list[str]:
    """Return the SQL statements a migration would run, without running them."""
    return MigrationRunner(db, directory).sqlmigrate(version, backwards=backwards)


def makemigrations(db: Any, name: str | None = None, *, directory: PathLike = "migrations/",
                   **options: Any) -> Path | None:
    """Write the next migration from the entity changes; return its path, or None.

    ``name`` is the file's suffix (derived from the changes when omitted); it comes second, as
    in nextorm 0.5.1, so a directory must be passed as ``directory=``.  Without
    ``dialects=``, the servers are those of ``dialects`` under ``[tool.nextorm]`` in the
    pyproject.toml found from ``directory`` upward, as the command line reads them: a script
    and the CLI write the same files into one folder.
    """
    check_name(name)
    from .generate import makemigrations as generate  # the generator is imported on demand

    if options.get("dialects") is None:
        options["dialects"] = project_dialects(directory)
    written = generate(db, str(directory), name, **options)
    return None if written is None else Path(written)


def project_dialects(directory: PathLike) -> str | None:
    """``dialects`` of the nearest ``[tool.nextorm]`` at or above ``directory`` (None: the
    bound server only)."""
    from .project import find_config

    return find_config(Path(directory)).get("dialects")


def check_name(name: object) -> None:
    """Refuse a directory given where the name goes (the 2nd argument before 0.5.1's order)."""
    if name is None:
        return
    if not isinstance(name, str) or "/" in name or os.sep in name or Path(name).is_dir():
        raise MigrationError(
            f"makemigrations: {name!r} looks like a directory, but the 2nd argument is the "
            "migration's name (as in nextorm 0.5.1): pass the folder as directory=..."
        )


def check(db: Any, directory: PathLike = "migrations/") -> Any:
    """Compare database, applied migrations and entities; return a ``DriftReport``."""
    from .drift import check_drift

    return check_drift(db, directory)


def rebuild_snapshot(db: Any, directory: PathLike = "migrations/") -> Any:
    """Rebuild ``.schema_snapshot.json`` from a database with every migration applied."""
    from .rebuild import rebuild_snapshot as rebuild

    return rebuild(db, directory)
