"""Test databases for the user's own tests: what the pytest plugin (``nextorm.pytest_plugin``)
is made of, usable without pytest too.

::

    from nextorm.testing import TestDatabase

    test_db = TestDatabase("myapp.models", url=None)   # None: a temporary SQLite file
    test_db.open()             # a fresh database, myapp.models.db pointed at it, migrated
    with test_db.rolled_back() as db:
        ...                    # everything written here is rolled back
    test_db.close()            # myapp.models.db bound as before; the database dropped

Importing this package imports nothing else: the ORM and the migration runtime are imported
by ``TestDatabase.open``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .database import TestDatabase

__all__ = ["TestDatabase"]


def __getattr__(name: str) -> Any:
    if name == "TestDatabase":
        from .database import TestDatabase

        return TestDatabase
    raise AttributeError(f"module 'nextorm.testing' has no attribute {name!r}")
