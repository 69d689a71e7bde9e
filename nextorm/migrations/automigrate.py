"""``db.migrate()``: nextorm 0.5.1's migration without files, for development only.

The live database is introspected as the "before" schema and diffed against the entities with
the diff ``makemigrations`` uses (``diff.py``); each operation is rendered by the dialect, as
in a generated file, and run at once.  Nothing is recorded and no file is written, so nothing
can be reviewed, undone or replayed on another database: it warns every time, and production
uses ``makemigrations`` + ``migrate``.

Unlike 0.5.1's, it never drops what it does not know: NextORM's own tables and the tables no
entity maps are left alone, and a change that destroys data (a dropped column) is refused
unless ``allow_destructive=True``.  Renames declared on the entities (``renamed_from=``,
``_renamed_from_``) keep their data; a NOT NULL column added to a table with rows needs a
declared ``default=``.
"""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from typing import Any

from ..errors import MigrationError
from ..schema.introspect import introspect
from ..schema.state import walk
from .diff import diff_schemas
from .generate import marker_renames, marker_table_renames
from .questioner import Questioner

NOT_FOR_PRODUCTION = (
    "db.migrate() changes the schema without migration files: for development only; in "
    "production use makemigrations + migrate (python -m nextorm.migrations.cli)"
)


def automigrate(db: Any, *, allow_destructive: bool = False) -> list[str]:
    """Bring the database's mapped tables to the entities; return the SQL that ran."""
    warnings.warn(NOT_FOR_PRODUCTION, UserWarning, stacklevel=3)
    model = db.schema_dict()
    table_renames = marker_table_renames(db)
    known = set(model["tables"]) | {hint.split("=", 1)[0] for hint in table_renames}
    live = {name: table for name, table in introspect(db)["tables"].items() if name in known}
    ops = diff_schemas({"format": model["format"], "tables": live}, model,
                       Questioner(marker_renames(db), table_renames))
    losses = [loss for op in ops if op.destructive and (loss := op.loss())]
    if losses and not allow_destructive:
        raise MigrationError(
            f"db.migrate() would destroy data: it {'; it '.join(losses)}; pass "
            "allow_destructive=True (development only), or write a migration"
        )
    dialect = db.dialect
    rebuilds = any(dialect.rebuilds_table(op, tables) for op, tables in walk(ops, live))
    ran: list[str] = []
    with (dialect.foreign_keys_off(db) if rebuilds else nullcontext()), \
            db.transaction(str(dialect.begin_migration_sql)):
        for op, tables in walk(ops, live):
            for statement in dialect.render(op, tables):
                db._run_rendered(statement)
                ran.append(statement if isinstance(statement, str) else statement.sql)
        if rebuilds and dialect.foreign_key_violations(db):
            raise MigrationError("db.migrate() was rolled back: rebuilding a table would leave "
                                 "rows pointing at missing parents")
    return ran
