"""Put the nextorm 0.5.1 fixture (tests/fixtures/nextorm051/) on a test's database.

SQLite gets the database file 0.5.1 itself migrated.  PostgreSQL and MariaDB get what 0.5.1
would have left there: its migration files rendered for that server are run, the fixture's
rows are copied, and its tracking table is created with the DDL and rows found in the SQLite
file (on MariaDB the ``TEXT`` primary key needs a length, the one change made to that DDL).
"""

from __future__ import annotations

import runpy
import shutil
import sqlite3
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "nextorm051"
COLUMNS = {"author": "id, name, email", "post": "id, title, author_id", "tag": "id, label",
           "post_tag": "post_id, tag_id"}
DATA_TABLES = tuple(COLUMNS)
FILES = {"sqlite": "migrations", "postgres": "migrations_postgres", "mysql": "migrations_mysql"}


def fixture_rows(table: str) -> list[tuple[Any, ...]]:
    """The rows 0.5.1 left in ``table`` of the fixture's SQLite file, in key order."""
    with sqlite3.connect(FIXTURE / "app.db") as conn:
        return [tuple(r) for r in conn.execute(
            f'SELECT {COLUMNS.get(table, "*")} FROM "{table}" ORDER BY 1, 2')]


def fixture_ddl(name: str) -> str:
    with sqlite3.connect(FIXTURE / "app.db") as conn:
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
    return str(sql)


def models_source(*extra: str) -> str:
    """The fixture's models.py (0.5.1's syntax, run unchanged here), plus lines for Author."""
    source = (FIXTURE / "models.py").read_text()
    return source.replace("    email: Opt[str]\n", "    email: Opt[str]\n" + "".join(
        f"    {line}\n" for line in extra))


def fixture_db(target: Any, *extra: str) -> Any:
    """A Database of the fixture's entities (fresh classes), bound to ``target`` and mapped."""
    namespace: dict[str, Any] = {}
    exec(compile(models_source(*extra), "models.py", "exec"), namespace)
    db = namespace["db"]
    target.bind(db)
    db.generate_mapping()
    return db


def install(target: Any, folder: Path) -> Path:
    """Copy the fixture's files to ``folder/migrations`` and its database to ``target``."""
    directory = folder / "migrations"
    shutil.copytree(FIXTURE / FILES[target.provider], directory)
    if target.provider == "sqlite":
        shutil.copy(FIXTURE / "app.db", target.url)
        return directory
    from nextorm import Database

    db = Database(entities=[])
    target.bind(db)
    try:
        for path in sorted(directory.glob("*.py")):
            runpy.run_path(str(path))["upgrade"](db)  # 0.5.1's own files, as it ran them
        q = db.dialect.quote
        for table in DATA_TABLES:
            for row in fixture_rows(table):
                marks = ", ".join("?" for _ in row)
                db._execute_dml(f"INSERT INTO {q(table)} ({COLUMNS[table]}) VALUES ({marks})",
                                list(row))
        ddl = fixture_ddl("_nextorm_migrations")
        if target.provider == "mysql":
            ddl = ddl.replace("version TEXT", "version VARCHAR(255)")
        db._execute_dml(ddl)
        for row in fixture_rows("_nextorm_migrations"):
            db._execute_dml("INSERT INTO _nextorm_migrations (version, applied_at) VALUES (?, ?)",
                            list(row))
    finally:
        db.disconnect()
    return directory


def data_rows(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the fixture's tables, read through ``db``, in key order."""
    q = db.dialect.quote
    return {table: [tuple(r) for r in db._execute(
        f"SELECT {columns} FROM {q(table)} ORDER BY 1, 2")] for table, columns in COLUMNS.items()}
