"""bind(..., pool_max=N): each thread its own connection, on the three servers."""

from __future__ import annotations

import threading

import pytest

from nextorm import BindError, Database, PoolTimeoutError


@pytest.fixture
def pooled(target, tmp_path):
    db = Database(entities=[])
    url = str(tmp_path / "pooled.db") if target.provider == "sqlite" else target.url
    db.bind(target.provider, url, pool_min=1, pool_max=3, pool_timeout=0.5)
    yield db
    db.close()


def test_threads_get_their_own_connection(pooled):
    q = pooled.dialect.quote
    pooled.execute(f"CREATE TABLE {q('hits')} (n INTEGER)")
    seen: dict[str, int] = {}
    inside = threading.Barrier(2, timeout=5)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with pooled.transaction():
                seen[name] = id(pooled.get_connection())
                inside.wait()  # both transactions are open at the same time
                if name == "a":
                    pooled.execute(f"INSERT INTO {q('hits')} (n) VALUES (?)", 1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert seen["a"] != seen["b"]
    assert pooled.select_raw(f"SELECT n FROM {q('hits')}") == [{"n": 1}]
    assert pooled._pool is not None and pooled._pool.idle_count == pooled._pool.pool_size


def test_an_exhausted_pool_times_out(pooled):
    release = threading.Event()
    holding = threading.Barrier(4, timeout=5)

    def hold() -> None:
        with pooled.transaction():
            pooled.execute("SELECT 1")
            holding.wait()
            release.wait(5)

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for t in threads:
        t.start()
    holding.wait()
    try:
        with pytest.raises(PoolTimeoutError, match="all 3 pooled connections"):
            pooled.execute("SELECT 1")
    finally:
        release.set()
        for t in threads:
            t.join(10)
    assert pooled.select_raw("SELECT 1 AS one") == [{"one": 1}]


def test_memory_sqlite_cannot_be_pooled():
    with pytest.raises(BindError, match="cannot be pooled"):
        Database(entities=[]).bind("sqlite", ":memory:", pool_max=2)
