"""PyMySQL's connection, with its default TLS context built once per process, not per connect.

Given no TLS option, PyMySQL 1.2 and later *prefers* TLS: each connection builds
``ssl.create_default_context()``, which reads the system's CA bundle (about 20 ms, fifty times
the rest of a local connect), then turns certificate checks off because no CA was given, so
the bundle read is never used.  That context is the same for every connection, and an
``SSLContext`` may be shared, so the first one built is kept for the next.  A TLS option of the
user's (``ssl=``, ``ssl_ca=``, ...) still gets a context of its own each time, and a PyMySQL
without this hook (``_create_ssl_ctx``) simply builds its own as before; PyMySQL 1.1
builds none without TLS options, and never asks.
"""

from __future__ import annotations

from typing import Any

import pymysql.connections

_preferred: Any = None


class Connection(pymysql.connections.Connection):
    """``pymysql.connect``'s connection; see the module's docstring for the one difference."""

    def _create_ssl_ctx(self, sslp: Any) -> Any:
        if not (isinstance(sslp, dict) and not sslp):  # the user's own TLS settings
            return super()._create_ssl_ctx(sslp)
        global _preferred
        if _preferred is None:  # two threads racing here build one spare context: no lock
            _preferred = super()._create_ssl_ctx(sslp)  # (a lock held across a fork would hang)
        return _preferred
