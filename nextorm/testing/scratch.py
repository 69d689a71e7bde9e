"""A throw-away database for one test session: a new SQLite file, or a uniquely named
schema/database on a server, created empty and dropped at the end.

The app's own database is never used for it: a server URL only says which server to create
the scratch database on.  What "a database of its own" means on each server lives in that
dialect's ``scratch.py`` (a PostgreSQL schema, a MariaDB database).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..database import Database, mask_password
from ..dialects import get_dialect
from ..errors import MigrationError
from ..urls import parse_url


@dataclass
class Scratch:
    """Where the session's test database is: ``db.bind(provider, *args)`` reaches it."""

    provider: str
    args: tuple[Any, ...]
    #: The server's URL it was made on and its name (None for a file: nothing to drop).
    server_url: str | None = None
    name: str | None = None

    def describe(self) -> str:
        """Name it for messages, password masked."""
        return f"{self.provider} {mask_password(str(self.args[0]))}"

    def drop(self) -> None:
        """Drop a server's scratch schema/database (a file stays in pytest's temp folder)."""
        if self.server_url is None or self.name is None:
            return
        admin = Database(entities=[])
        admin.bind(self.provider, self.server_url)
        try:
            admin._dialect()._module("scratch").drop_scratch(admin, self.name)
        finally:
            admin.disconnect()


def create_scratch(url: str | None, source: str, folder: Path) -> Scratch:
    """Make an empty test database: on the server ``url`` names, else an SQLite file in
    ``folder``.  ``source`` names where the URL came from, for the error line."""
    name = f"nextorm_test_{uuid.uuid4().hex[:12]}"
    if url is None:
        return Scratch("sqlite", (str(folder / f"{name}.sqlite3"),))
    provider, args = parse_url(url, source, folder)
    dialect = get_dialect(provider)
    if dialect.database_file(args) is not None or dialect.single_connection(args):
        # An embedded database: the path in the URL is not used, the test gets a new file.
        return Scratch(dialect.name, (str(folder / f"{name}.sqlite3"),))
    admin = Database(entities=[])
    try:
        admin.bind(provider, *args)
        scratch_url = admin._dialect()._module("scratch").create_scratch(admin, args[0], name)
    except Exception as exc:
        raise MigrationError(
            f"{source}: cannot create the test database {name} on "
            f"{mask_password(str(args[0]))}: {exc}") from None
    finally:
        admin.disconnect()
    return Scratch(dialect.name, (scratch_url,), str(args[0]), name)
