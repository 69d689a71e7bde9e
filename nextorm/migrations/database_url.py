"""``--database-url`` and ``DATABASE_URL``: one module, many environments.

The user's module binds its Database (``db.bind("postgres", "postgresql://...")``) when it is
imported, and a server binding connects at once.  A URL given to the CLI must therefore win
*before* that import, or the command would first reach the module's server (production, say)
and only then the one it was told to use.  ``overriding(url)`` sets ``BIND_OVERRIDE`` for the
import, so every ``bind()`` the module runs uses the URL instead; ``rebind`` catches a module
that was imported earlier, or that binds nothing at all.

URL forms (the scheme names the provider; ``+driver`` suffixes are accepted and dropped):

- ``sqlite:///relative/app.db`` (relative to where the command is typed),
  ``sqlite:////absolute/app.db``, ``sqlite:///:memory:``;
- ``postgresql://user:password@host:5432/name`` (also ``postgres://``);
- ``mysql://user:password@host:3306/name`` (also ``mariadb://``).

Messages show the URL with its password as ``***``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..database import BIND_OVERRIDE, Database, mask_password
from ..dialects import PROVIDER_ALIASES, get_dialect
from ..errors import MigrationError

#: The environment variable the published NextORM docs name; ``--database-url`` wins over it.
ENV_VAR = "DATABASE_URL"


def chosen_url(option: str | None) -> tuple[str, str] | None:
    """``(url, where it came from)``: the option, else ``$DATABASE_URL``, else None."""
    if option:
        return option, "--database-url"
    value = os.environ.get(ENV_VAR, "").strip()
    return (value, ENV_VAR) if value else None


def parse_database_url(url: str, source: str = "--database-url",
                       base: Path | None = None) -> tuple[str, tuple[Any, ...]]:
    """Return ``(provider, bind arguments)`` for a URL; one error line naming ``source``.

    A relative SQLite path is taken from ``base`` (where the user typed the command).
    """
    scheme, sep, rest = url.partition("://")
    provider = scheme.split("+", 1)[0].lower()
    if not sep or provider not in PROVIDER_ALIASES:
        known = ", ".join(f"{name}://" for name in sorted(PROVIDER_ALIASES))
        raise MigrationError(f"{source} {mask_password(url)!r} is not a database URL "
                             f"(use one of: {known})")
    dialect = get_dialect(provider)
    if dialect.database_file(("probe",)) is None:  # a server: its driver reads the URL
        return dialect.name, (f"{provider}://{rest}",)
    # A database file: SQLAlchemy's form, sqlite:///relative or sqlite:////absolute.
    path = rest.split("?", 1)[0]
    if path.startswith("/"):
        path = path[1:]
    elif path:
        raise MigrationError(f"{source} {url!r}: write a file as {provider}:///relative/path "
                             f"or {provider}:////absolute/path")
    if not path or path == ":memory:":
        return dialect.name, (":memory:",)
    if base is not None and not os.path.isabs(path):
        path = str(base / path)
    return dialect.name, (path,)


@contextmanager
def overriding(bind: tuple[str, tuple[Any, ...]] | None) -> Iterator[None]:
    """While the block runs (the module's import), every ``bind()`` uses ``bind``."""
    if bind is None:
        yield
        return
    token = BIND_OVERRIDE.set(bind)
    try:
        yield
    finally:
        BIND_OVERRIDE.reset(token)


def rebind(db: Database, bind: tuple[str, tuple[Any, ...]]) -> None:
    """Point ``db`` at ``bind`` when its module bound it elsewhere (imported before the
    override was set) or not at all."""
    provider, args = bind
    if db.is_bound and (db.provider, db.bind_args[0]) == (get_dialect(provider).name, args):
        return
    if db.is_bound:
        db.unbind()
    db.bind(provider, *args)
