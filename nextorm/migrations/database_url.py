"""``--database-url`` and ``DATABASE_URL``: one module, many environments.

The user's module binds its Database (``db.bind("postgres", "postgresql://...")``) when it is
imported, and a server binding connects at once.  A URL given to the CLI must therefore win
*before* that import, or the command would first reach the module's server (production, say)
and only then the one it was told to use.  ``overriding(url)`` sets ``BIND_OVERRIDE`` for the
import, so every ``bind()`` the module runs uses the URL instead; ``rebind`` catches a module
that was imported earlier, or that binds nothing at all.

The URL forms are ``db.bind``'s (``nextorm/urls.py``, ``parse_url``): a relative SQLite path
is taken from where the command is typed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..database import BIND_OVERRIDE, Database
from ..dialects import get_dialect

#: The environment variable the published NextORM docs name; ``--database-url`` wins over it.
ENV_VAR = "DATABASE_URL"


def chosen_url(option: str | None) -> tuple[str, str] | None:
    """``(url, where it came from)``: the option, else ``$DATABASE_URL``, else None."""
    if option:
        return option, "--database-url"
    value = os.environ.get(ENV_VAR, "").strip()
    return (value, ENV_VAR) if value else None


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
