"""The MySQL dialect's PyMySQL connection builds its default (preferred) TLS context once.

PyMySQL builds ``ssl.create_default_context()`` for every connection given no TLS option (about
20 ms each: the system's CA bundle is read).  ``dialects/mysql/driver.py`` keeps the first.
These call the hook on connections that never connect (no server); the server test beside the
dialect's others checks that real binds share it (tests/orm/test_mysql_connect.py).
"""

from __future__ import annotations

import ssl

import pytest

pytest.importorskip("pymysql")

from nextorm.dialects.mysql import driver  # noqa: E402


def unconnected() -> driver.Connection:
    return driver.Connection.__new__(driver.Connection)


def test_the_preferred_context_is_built_once_and_is_pymysqls() -> None:
    first = unconnected()._create_ssl_ctx({})
    assert unconnected()._create_ssl_ctx({}) is first
    plain = driver.pymysql.connections.Connection.__new__(driver.pymysql.connections.Connection)
    theirs = plain._create_ssl_ctx({})
    assert theirs is not first  # PyMySQL's own builds a new one each time
    assert (first.verify_mode, first.check_hostname, first.verify_flags, first.protocol) == (
        theirs.verify_mode, theirs.check_hostname, theirs.verify_flags, theirs.protocol)
    assert first.verify_mode == ssl.CERT_NONE


def test_the_users_tls_settings_get_a_context_of_their_own() -> None:
    settings = {"ca": None, "check_hostname": False, "verify_mode": True}
    one = unconnected()._create_ssl_ctx(dict(settings))
    two = unconnected()._create_ssl_ctx(dict(settings))
    assert one is not two and one is not unconnected()._create_ssl_ctx({})
    assert one.verify_mode == ssl.CERT_REQUIRED


def test_a_context_the_user_passes_is_used_as_it_is() -> None:
    mine = ssl.create_default_context()
    assert unconnected()._create_ssl_ctx(mine) is mine
