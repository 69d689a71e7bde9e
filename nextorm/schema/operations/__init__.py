"""Schema operations: what a migration does, as data.

Each operation is a small immutable record (``base.Record``) that carries everything needed to
render it on any dialect *and* to render its reverse, so ``downgrade(db)`` can be generated from
the diff alone (a drop carries the full definition of what it drops).  Dialects turn an operation into SQL
(``Dialect.render``); templates turn it into a commented step of a migration file.

An operation lives in four small places: its record here (``tables.py`` for whole tables,
``keys.py`` for indexes, unique and foreign keys, ``columns.py`` for one column; ``base.py``
holds the base classes and ``Statement``), the comparator that finds it
(``migrations/comparators.py``), its SQL in ``dialects/``, and its partial in ``templates/``
(or the default one).
"""

from .base import Operation, Record, Statement, TableChange, apply_operations, column_summary
from .columns import (
    AddColumn,
    AlterColumn,
    CallDefault,
    DropColumn,
    FillNulls,
    RenameColumn,
    fill_value,
)
from .keys import (
    AddForeignKey,
    AddUnique,
    CreateIndex,
    DropForeignKey,
    DropIndex,
    DropUnique,
)
from .tables import AlterPrimaryKey, CreateTable, DropTable, RenameTable

__all__ = [
    "AddColumn", "AddForeignKey", "AddUnique", "AlterColumn", "AlterPrimaryKey", "CallDefault",
    "CreateIndex", "CreateTable", "DropColumn", "DropForeignKey", "DropIndex", "DropTable",
    "DropUnique", "FillNulls", "Operation", "Record", "RenameColumn", "RenameTable", "Statement",
    "TableChange", "apply_operations", "column_summary", "fill_value",
]
