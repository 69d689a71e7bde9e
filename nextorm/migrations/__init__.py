"""NextORM's migration system; its Python API, in nextorm 0.5.1's import path::

    from nextorm.migrations import makemigrations, migrate, showmigrations
    from nextorm.migrations import MigrationRunner, MigrationStatus

The names are imported on first use, so ``import nextorm.migrations.cli`` (and ``migrate``)
pays for no more than it runs, and never for the generator (DeepDiff, Jinja, black).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MigrationRunner", "MigrationStatus", "adopt_051", "makemigrations", "migrate",
           "showmigrations"]


def __getattr__(name: str) -> Any:
    # Plain imports, so tests/unit/test_architecture.py sees that none reaches the generator.
    if name in ("makemigrations", "migrate", "showmigrations"):
        from . import api as module
    elif name in ("MigrationRunner", "MigrationStatus"):
        from . import runner as module  # type: ignore[no-redef]
    elif name == "adopt_051":
        from . import adopt as module  # type: ignore[no-redef]
    else:
        raise AttributeError(f"module 'nextorm.migrations' has no attribute {name!r}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
