"""Binding a database stays cheap: what it must not import (issue 9, "Speed").

Every app start and every command (``migrate``, ``makemigrations``) imports ``nextorm`` and
binds a database.  Each test runs a fresh interpreter (``sys.modules`` of this one is full)
and lists which of the modules below got imported: each was once imported on that path, for
between 0.2 and 5 ms, and is now imported only where it is used (``uuid`` for a generated
key, ``json`` for a JSON or vector value, ``urllib.parse`` for a MySQL URL...).
"""

from __future__ import annotations

from pathlib import Path

from support.import_cost import imported_after

#: The standard library modules that binding, connecting and rendering DDL do without.
HEAVY = ("dataclasses", "inspect", "ast", "dis", "tokenize", "uuid", "platform", "urllib.parse",
         "ipaddress", "pathlib", "json", "copy", "decimal", "hashlib")
#: NextORM's own parts a bind does not need: DDL checks, introspection, rebuilds, the locks,
#: operations, the ORM and the migration system load when first used.
LATER = ("nextorm.dialects.checks", "nextorm.dialects.conversions", "nextorm.dialects.sqlite.rebuild",
         "nextorm.dialects.sqlite.introspect", "nextorm.dialects.sqlite.lock",
         "nextorm.schema.operations", "nextorm.schema.model", "nextorm.orm", "nextorm.migrations",
         "nextorm.entity", "nextorm.mapping")


def test_binding_sqlite_and_running_a_statement_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "from nextorm import Database\n"
        "db = Database(entities=[])\n"
        f"db.bind('sqlite', {str(tmp_path / 'app.db')!r})\n"
        "assert db.select_raw('SELECT 1 AS one') == [{'one': 1}]\n"
        "url_db = Database(entities=[])\n"
        f"url_db.bind('sqlite:///' + {str(tmp_path / 'url.db')!r})\n"
        "url_db.execute('SELECT 1')\n"
    )
    assert imported_after(code, HEAVY + LATER) == []


def test_each_dialect_loads_without_heavy_modules() -> None:
    """PostgreSQL and MariaDB too (their drivers aside: no server is reached here)."""
    code = (
        "from nextorm.dialects import get_dialect\n"
        "for name in ('sqlite', 'postgres', 'mysql'):\n"
        "    dialect = get_dialect(name)\n"
        "    dialect.column_type({'type': 'str', 'max_len': 20}), dialect.quote('user')\n"
    )
    assert imported_after(code, HEAVY + LATER) == []


def test_rendering_ddl_imports_no_dataclasses() -> None:
    """``create_tables`` at an app's start renders each table through the data checks."""
    code = (
        "from nextorm.dialects import get_dialect\n"
        "from nextorm.schema.operations import AddColumn, CreateTable\n"
        "table = {'columns': {'id': {'type': 'int', 'auto': True}, 'name': {'type': 'str',"
        " 'max_len': 50}}, 'primary_key': ['id'], 'uniques': {}, 'foreign_keys': {},"
        " 'indexes': {}}\n"
        "for name in ('sqlite', 'postgres', 'mysql'):\n"
        "    dialect = get_dialect(name)\n"
        "    assert dialect.render(CreateTable('t', table), {})\n"
        "    assert dialect.render(AddColumn('t', 'c', {'type': 'int', 'nullable': True}),"
        " {'t': table})\n"
    )
    assert imported_after(code, HEAVY) == []


def test_the_guard_sees_a_heavy_import() -> None:
    """The check can fail: a module imported by the code is reported."""
    assert imported_after("import nextorm, json", HEAVY) == ["json"]
