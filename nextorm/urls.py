"""Database URLs: ``db.bind("postgresql://app@db/app")``, ``--database-url`` and
``DATABASE_URL`` read one way (one parser, here below the migration system and the CLI).

Forms (the scheme names the provider; ``+driver`` suffixes are accepted and dropped):

- ``sqlite:///relative/app.db`` (relative to ``base``, else to the current folder),
  ``sqlite:////absolute/app.db``, ``sqlite:///:memory:``;
- ``postgresql://user:password@host:5432/name`` (also ``postgres://``);
- ``mysql://user:password@host:3306/name`` (also ``mariadb://``).

Messages show the URL with its password as ``***``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .connections import mask_password
from .dialects import PROVIDER_ALIASES, get_dialect
from .errors import BindError

if TYPE_CHECKING:  # pathlib (and urllib.parse under it) is not imported to bind a database
    from pathlib import Path


def is_url(text: object) -> bool:
    """True for a string that names its scheme (``postgresql://...``), not a provider name."""
    return isinstance(text, str) and "://" in text


def parse_url(url: str, source: str, base: Path | None = None) -> tuple[str, tuple[Any, ...]]:
    """Return ``(provider, bind arguments)`` for a URL; one error line naming ``source``
    (where the URL came from: ``--database-url``, ``DATABASE_URL``, ``db.bind()``)."""
    scheme, sep, rest = url.partition("://")
    provider = scheme.split("+", 1)[0].lower()
    if not sep or provider not in PROVIDER_ALIASES:
        known = ", ".join(f"{name}://" for name in sorted(PROVIDER_ALIASES))
        raise BindError(f"{source} {mask_password(url)!r} is not a database URL "
                        f"(use one of: {known})")
    dialect = get_dialect(provider)
    if dialect.database_file(("probe",)) is None:  # a server: its driver reads the URL
        return dialect.name, (f"{provider}://{rest}",)
    # A database file: SQLAlchemy's form, sqlite:///relative or sqlite:////absolute.
    path = rest.split("?", 1)[0]
    if path.startswith("/"):
        path = path[1:]
    elif path:
        raise BindError(f"{source} {url!r}: write a file as {provider}:///relative/path "
                        f"or {provider}:////absolute/path")
    if not path or path == ":memory:":
        return dialect.name, (":memory:",)
    if base is not None and not os.path.isabs(path):
        path = str(base / path)
    return dialect.name, (path,)
