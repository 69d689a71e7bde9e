"""makemigrations runs with the cyclic garbage collector paused (gcpause.without_gc)."""

from __future__ import annotations

from typing import Any


def test_makemigrations_plans_with_the_garbage_collector_paused(tmp_path):
    """The collector would walk the application's whole object graph many times per run."""
    import gc

    from nextorm.migrations import generate

    seen: list[bool] = []

    class Db:
        is_mapped = True
        mapping: dict[str, Any] = {}

        def _dialect(self) -> None:
            return None

        def schema_dict(self) -> dict[str, Any]:  # read while planning
            seen.append(gc.isenabled())
            return {"format": 1, "tables": {}}

    assert gc.isenabled()
    assert generate.makemigrations(Db(), tmp_path / "migrations") is None
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        generate.plan_migration(Db(), tmp_path / "migrations")
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
