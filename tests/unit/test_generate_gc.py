"""makemigrations runs with the cyclic garbage collector paused (generate.without_gc)."""

from __future__ import annotations

from typing import Any


def test_makemigrations_plans_with_the_garbage_collector_paused(monkeypatch, tmp_path):
    """The collector would walk the application's whole object graph many times per run."""
    import gc

    from nextorm.migrations import generate

    seen: list[bool] = []

    def spy(old: Any, new: Any, questioner: Any = None) -> list[Any]:
        seen.append(gc.isenabled())
        return []

    class Db:
        is_mapped = True
        mapping: dict[str, Any] = {}

        def _dialect(self) -> None:
            return None

        def schema_dict(self) -> dict[str, Any]:
            return {"format": 1, "tables": {}}

    monkeypatch.setattr(generate, "diff_schemas", spy)
    assert gc.isenabled()
    assert generate.makemigrations(Db(), tmp_path / "migrations") is None
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        generate.plan_migration(Db(), tmp_path / "migrations")
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
