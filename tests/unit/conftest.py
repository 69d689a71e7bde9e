"""The unit tier: no database server and no subprocess (SQLite files are fine).

A unit test that asks for a server fixture fails at collection, and one that starts a process
fails when it does: such tests belong in ``tests/integration`` or ``tests/cli``.
"""

from __future__ import annotations

import subprocess

import pytest

SERVER_FIXTURES = {"target", "postgres_target", "mysql_target", "project", "make_db",
                   "postgres_project", "mysql_project", "transactional_project"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
        if used and "tests/unit/" in str(item.path).replace("\\", "/"):
            raise pytest.UsageError(
                f"{item.nodeid} uses {', '.join(sorted(used))}: tests/unit needs no server")


@pytest.fixture(autouse=True)
def no_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a unit test that starts a process (the unit tier must stay fast and local)."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tests/unit starts no process: move this test to tests/integration")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
