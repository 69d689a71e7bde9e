"""Shared fixtures: a fresh, real database per test on SQLite, PostgreSQL and MariaDB.

Server URLs come from the environment:

- ``NEXTORM_PG_URL``     e.g. ``postgresql://root@127.0.0.1:5432/test``
- ``NEXTORM_MYSQL_URL``  e.g. ``mysql://root@127.0.0.1:3306/test``

A server whose URL is unset is skipped, unless ``NEXTORM_REQUIRE_SERVERS`` is set (CI), in
which case its tests fail.  Each test gets its own PostgreSQL schema or MariaDB database (a
random name) and drops it afterwards, so tests can run in parallel (``pytest -n``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

PROVIDERS = ("sqlite", "postgres", "mysql")
URL_VARS = {"postgres": "NEXTORM_PG_URL", "mysql": "NEXTORM_MYSQL_URL"}


@dataclass
class Target:
    """Where one test's database lives: ``db.bind(target.provider, target.url)`` reaches it."""

    provider: str
    url: str

    def bind(self, db) -> None:
        db.bind(self.provider, self.url)

    def bind_source(self, var: str = "db") -> str:
        """A line of Python that binds ``var`` here, for modules written into temp projects."""
        return f"{var}.bind({self.provider!r}, {self.url!r})"

    def drop_tables(self) -> None:
        """Drop every table by hand (one failed example must not spoil the next ones)."""
        from nextorm import Database

        db = Database(entities=[])
        self.bind(db)
        try:
            q = db.dialect.quote
            if self.provider == "mysql":
                db._execute_dml("SET FOREIGN_KEY_CHECKS = 0")
            elif self.provider == "sqlite":
                db._execute_dml("PRAGMA foreign_keys = OFF")
            for name in db.table_names():
                cascade = " CASCADE" if self.provider == "postgres" else ""
                db._execute_dml(f"DROP TABLE IF EXISTS {q(name)}{cascade}")
        finally:
            db.disconnect()

    def raw_tables(self) -> list[str]:
        """Table names in the database, read with a fresh connection (not the code under test)."""
        from nextorm import Database

        db = Database(entities=[])
        self.bind(db)
        try:
            return db.table_names()
        finally:
            db.disconnect()


def server_url(provider: str) -> str:
    """Return the base URL for a server, skipping (or failing in CI) when it is not configured."""
    url = os.environ.get(URL_VARS[provider])
    if not url:
        if os.environ.get("NEXTORM_REQUIRE_SERVERS"):
            pytest.fail(f"{URL_VARS[provider]} is not set but NEXTORM_REQUIRE_SERVERS is")
        pytest.skip(f"{URL_VARS[provider]} not set")
    return url


@pytest.fixture
def sqlite_target(tmp_path: Path) -> Target:
    return Target("sqlite", str(tmp_path / "app.db"))


@pytest.fixture
def postgres_target() -> Iterator[Target]:
    import psycopg

    base = server_url("postgres")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    yield Target("postgres", f"{base}{sep}options={quote('-c search_path=' + schema)}")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def mysql_target() -> Iterator[Target]:
    # NextORM's PyMySQL connection: plain ``pymysql.connect`` (PyMySQL 1.2) builds a TLS
    # context on every connect, reading the system's CA bundle; this one builds it once per
    # process (``dialects/mysql/driver.py``).  The two connections of each test cost 8 ms
    # instead of 80, over the suite's 450-odd MariaDB tests.
    from nextorm.dialects.mysql import parse_mysql_url
    from nextorm.dialects.mysql.driver import Connection

    base = server_url("mysql")
    kwargs = parse_mysql_url(base)
    kwargs.pop("database", None)
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = Connection(autocommit=True, **kwargs)
    try:
        conn.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    finally:
        conn.close()
    root = base.rsplit("/", 1)[0] if base.count("/") > 2 else base.rstrip("/")
    yield Target("mysql", f"{root}/{name}")
    conn = Connection(autocommit=True, **kwargs)
    try:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        conn.close()


@pytest.fixture(params=PROVIDERS)
def target(request: pytest.FixtureRequest) -> Target:
    """A fresh empty database on each of the three providers in turn."""
    return request.getfixturevalue(f"{request.param}_target")


@pytest.fixture
def make_db(target: Target):
    """Return a factory: ``make_db([User, Post])`` gives a Database bound to ``target``."""
    from nextorm import Database

    made = []

    def factory(entities=None, mapped: bool = True, create_tables: bool = False):
        db = Database(entities=entities)
        target.bind(db)
        if mapped or create_tables:
            db.generate_mapping(create_tables=create_tables)
        made.append(db)
        return db

    yield factory
    for db in made:
        db.disconnect()


@pytest.fixture
def db(target: Target):
    """A Database with no entities, bound to a fresh empty database on each server in turn."""
    from nextorm import Database

    database = Database(entities=[])
    target.bind(database)
    yield database
    database.disconnect()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (seconds each: a process tree, a wheel build, random DDL on every
    server) run first, so that under ``pytest -n`` no worker is left with one at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
