"""The test database for every test, in a project that opted in (``nextorm_module``, or
``nextorm_enabled`` with ``[tool.nextorm] module``): registered by the pytest plugin
(``nextorm.pytest_plugin``) as the ``nextorm-every-test`` plugin only then.

A module of its own, not a class registered as a plugin: pytest deprecates session-scoped
fixtures defined as instance methods (``PytestRemovedIn10Warning``), and a project that did not
opt in must not load it (the plugin stays inert there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .database import TestDatabase


@pytest.fixture(scope="session", autouse=True)
def _nextorm_test_database(nextorm_database: TestDatabase) -> TestDatabase:
    """Make the session's test database before the first test, whatever it asks for."""
    return nextorm_database
