"""Connecting to MariaDB/MySQL: binds share PyMySQL's default TLS context (built once).

Before, each connection read the system's CA bundle for a context that checks nothing
(about 20 ms a connection, 50 times the rest of a local connect).
"""

from __future__ import annotations

import pytest

from nextorm import Database


@pytest.fixture
def mysql_url(mysql_target) -> str:
    return mysql_target.url


def connection_of(url: str, **options: object) -> tuple[Database, object]:
    db = Database(entities=[])
    db.bind("mysql", url, **options)
    assert db._execute("SELECT 1") == [(1,)]
    return db, db.get_connection()


def test_two_binds_share_the_default_tls_context_and_still_work(mysql_url: str) -> None:
    one, first = connection_of(mysql_url)
    two, second = connection_of(mysql_url)
    try:
        if getattr(first, "ctx", None) is None:  # PyMySQL 1.1: no "preferred" TLS, no context
            pytest.skip("this PyMySQL builds no default TLS context (it came with 1.2)")
        assert first is not second
        assert first.ctx is second.ctx
        assert first.ssl and not first._ssl_required  # PyMySQL's "preferred" mode, as before
    finally:
        one.disconnect()
        two.disconnect()


def test_tls_turned_off_by_the_user_builds_no_context(mysql_url: str) -> None:
    db, conn = connection_of(mysql_url, ssl_disabled=True)
    try:
        assert conn.ssl is False and getattr(conn, "ctx", None) is None
    finally:
        db.disconnect()
