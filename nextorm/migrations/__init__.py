"""NextORM's migration system; its Python API, in nextorm 0.5.1's import path::

    from nextorm.migrations import makemigrations, migrate, showmigrations
    from nextorm.migrations import MigrationRunner, MigrationStatus

The names are imported on first use, so ``import nextorm.migrations.cli`` (and ``migrate``)
pays for no more than it runs, and never for the generator (DeepDiff, Jinja, black).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["MigrationRunner", "MigrationStatus", "adopt_051", "makemigrations", "migrate",
           "showmigrations"]

_LAZY = {
    "makemigrations": "nextorm.migrations.api",
    "migrate": "nextorm.migrations.api",
    "showmigrations": "nextorm.migrations.api",
    "adopt_051": "nextorm.migrations.adopt",
    "MigrationRunner": "nextorm.migrations.runner",
    "MigrationStatus": "nextorm.migrations.runner",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nextorm.migrations' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
