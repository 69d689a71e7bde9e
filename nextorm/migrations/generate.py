"""makemigrations: diff the entities against the snapshot and write the next migration.

``plan_migration`` computes everything without touching the disk (``--dry-run`` and
``--check`` use it); ``makemigrations`` writes the module and the new snapshot together: both
go to temporary files first and are moved into place with ``os.replace``, the module first,
and the module is removed again if the snapshot cannot be moved, so a failure changes neither.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING, Any

from ..errors import MigrationError
from . import snapshot
from .gcpause import without_gc

if TYPE_CHECKING:
    from pathlib import Path

    from ..schema.operations import Operation
    from .questioner import Defaults

MIGRATION_FILE = re.compile(r"^([0-9]{4,})_(\w+)\.py$")
MAX_NAME_LENGTH = 60


class PlannedMigration:
    """A migration ready to be written: its path, source, operations and the new snapshot.

    (A plain class: a dataclass costs its import time on every makemigrations.)
    """

    __slots__ = ("path", "source", "operations", "snapshot", "downgrade_operations", "notes")

    def __init__(self, path: Path, source: str, operations: list[Operation],
                 snapshot: dict[str, Any], downgrade_operations: list[Operation] | None = None,
                 notes: list[str] | None = None) -> None:
        self.path = path
        self.source = source
        self.operations = operations
        self.snapshot = snapshot
        self.downgrade_operations: list[Operation] = downgrade_operations or []
        #: What happened to the snapshot on the way (a rolled-back deleted migration).
        self.notes: list[str] = notes or []

    def __repr__(self) -> str:
        return f"PlannedMigration({self.path!r}, operations={self.operations!r})"

    @property
    def name(self) -> str:
        return self.path.name


@without_gc
def plan_migration(
    db: Any,
    directory: str | Path = "migrations/",
    name: str | None = None,
    *,
    empty: bool = False,
    renames: tuple[str, ...] | list[str] = (),
    table_renames: tuple[str, ...] | list[str] = (),
    defaults: Defaults = (),
    templates: str | Path | None = None,
    interactive: bool = False,
    now: dt.datetime | None = None,
    concurrent_indexes: bool = False,
    dialects: tuple[str, ...] | list[str] | str = (),
) -> PlannedMigration | None:
    """Return the migration the entity changes need, or None when nothing changed.

    ``concurrent_indexes``: build every index on an existing table with ``CONCURRENTLY``
    (PostgreSQL; per table with ``_concurrent_indexes_ = True`` on the entity).
    ``dialects``: the servers the file is for (several: a part each, ``multirender.py``);
    empty: the bound server's.
    """
    from .. import __version__

    if not db.is_mapped:
        db.generate_mapping()
    dialect = db._dialect()
    new = db.schema_dict()
    state = snapshot.load_state(directory)
    old = state.schema
    if not (empty or renames or table_renames or defaults) and old["tables"] == new["tables"]:
        return None  # nothing differs (the hints from the entities name what they have)
    from .diff import align_columns, diff_schemas, reverse_operations
    from .questioner import InteractiveQuestioner, Questioner

    kind = InteractiveQuestioner if interactive else Questioner
    questioner = kind(renames=[*marker_renames(db), *renames],
                      table_renames=[*marker_table_renames(db), *table_renames], defaults=defaults)
    ops: list[Operation] = [] if empty else diff_schemas(old, new, questioner)
    if not ops and not empty:
        return None
    undo = reverse_operations(ops, new) if ops else []
    if empty:
        new = old
    slug = safe_name(name) if name else derive_name(ops, old)
    from pathlib import Path  # past the no-change return: that run never needs pathlib

    path = Path(directory) / f"{next_number(directory):04d}_{slug}.py"
    summary = _summary(ops, empty)
    from .multirender import render_for_servers

    online = (set(old["tables"]) & set(new["tables"]),  # online-safe DDL on the tables in use
              concurrent_indexes or [e.table for e in (db.mapping or {}).values()
                                     if getattr(e.entity, "_concurrent_indexes_", False)])
    source, notes = render_for_servers(
        ops, undo, dialect, dialects, online, directory=directory, summary=summary,
        version=__version__, now=now, templates=templates,
        before=align_columns(old, new)["tables"], after=new["tables"])
    return PlannedMigration(path, source, ops, state.advance(new, path.name), undo,
                            notes=[*state.notes, *notes])


@without_gc
def makemigrations(
    db: Any, directory: str | Path = "migrations/", name: str | None = None, **options: Any
) -> str | None:
    """Write the next migration and the snapshot; return the file's path, or None if no change."""
    plan = plan_migration(db, directory, name, **options)
    if plan is None:
        return None
    write_migration(plan, directory)
    return str(plan.path)


@without_gc
def write_migration(plan: PlannedMigration, directory: str | Path) -> None:
    """Write the module and the snapshot so that either both change or neither does."""
    from pathlib import Path

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    if plan.path.exists():
        raise MigrationError(f"{plan.path} already exists; nothing was written")
    snap = snapshot.snapshot_path(folder)
    tmp_module = folder / f".{plan.path.name}.tmp"
    tmp_snap = folder / f"{snapshot.SNAPSHOT_NAME}.tmp"
    try:
        tmp_module.write_text(plan.source, encoding="utf-8")
        tmp_snap.write_text(snapshot.dumps(plan.snapshot), encoding="utf-8")
        os.replace(tmp_module, plan.path)
        try:
            os.replace(tmp_snap, snap)
        except OSError:
            plan.path.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise MigrationError(f"cannot write {plan.path} and {snap}: {exc.strerror}") from exc
    finally:
        tmp_module.unlink(missing_ok=True)
        tmp_snap.unlink(missing_ok=True)


def destructive_warnings(plan: PlannedMigration) -> list[str]:
    """Return one line per step of ``upgrade()`` that destroys data, naming what it loses.

    The file marks these steps ``# DESTRUCTIVE``; the lines say it again when the file is
    written, where a person running makemigrations reads them.  (``downgrade()`` undoes what
    ``upgrade()`` added, so its drops are expected and not repeated.)
    """
    return [f"{plan.path.name} {op.loss()}" for op in plan.operations if op.destructive
            and op.loss()]


def marker_renames(db: Any) -> list[str]:
    """Return ``table.old=new`` hints from ``renamed_from=`` options on the entities."""
    hints = []
    for emap in (db.mapping or {}).values():
        for attr in emap.entity._attrs_.values():
            old = attr.opt("renamed_from")
            columns = emap.columns.get(attr.name, [])
            if old and len(columns) == 1:
                hints.append(f"{emap.table}.{old}={columns[0]}")
    return hints


def marker_table_renames(db: Any) -> list[str]:
    """Return ``old=new`` hints from ``_renamed_from_ = "old"`` on the entity classes."""
    return [f"{emap.entity._renamed_from_}={emap.table}" for emap in (db.mapping or {}).values()
            if getattr(emap.entity, "_renamed_from_", None)]


def next_number(directory: str | Path) -> int:
    """Return the number after the highest ``NNNN_*.py`` in ``directory`` (1 if none)."""
    from pathlib import Path

    folder = Path(directory)
    if not folder.is_dir():
        return 1
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := MIGRATION_FILE.match(p.name))]
    return max(numbers, default=0) + 1


def safe_name(label: str) -> str:
    """Turn ``--name`` into a lower-case identifier fragment (``Add Email!/x`` → ``add_email_x``).

    Letters of any script that Python accepts in identifiers are kept (``数据迁移`` stays), so
    a team names its migrations in its own language; everything else becomes ``_``.
    """
    import unicodedata  # imported once a file is named: a run that finds no change never is

    text = unicodedata.normalize("NFKC", label).lower()
    kept = "".join(c if ("_" + c).isidentifier() else "_" for c in text)
    slug = re.sub(r"_+", "_", kept).strip("_")[:MAX_NAME_LENGTH].strip("_")
    return slug or "migration"


def derive_name(ops: list[Operation], old: dict[str, Any]) -> str:
    """Name a migration after what it does: ``initial``, ``create_tag``, ``add_email_to_user``."""
    from ..schema.operations import (
        AddColumn,
        AddForeignKey,
        AlterColumn,
        CreateIndex,
        CreateTable,
        FillNulls,
    )
    if not ops:
        return "empty"
    if not old["tables"]:
        return "initial"
    created = {op.table for op in ops if isinstance(op, CreateTable)}
    added = {(op.table, op.column) for op in ops if isinstance(op, AddColumn)}
    fragments: list[str] = []
    for op in ops:
        if isinstance(op, CreateIndex | AddForeignKey) and op.table in created:
            continue
        if isinstance(op, FillNulls | AlterColumn) and (op.table, op.column) in added:
            continue  # the fill and NOT NULL steps of a column added with a callable default
        fragment = op.name_fragment()
        if fragment not in fragments:
            fragments.append(fragment)
    name = "_and_".join(fragments[:2]) if len(fragments) <= 2 else f"{fragments[0]}_and_more"
    if len(name) > MAX_NAME_LENGTH:
        name = f"{fragments[0][:MAX_NAME_LENGTH - 9]}_and_more"
    return safe_name(name)


def _summary(ops: list[Operation], empty: bool) -> str:
    from ..schema.operations import AddForeignKey, CreateIndex, CreateTable
    if empty or not ops:
        return "Empty migration: write data changes in upgrade() and downgrade()."
    created = [op.table for op in ops if isinstance(op, CreateTable)]
    # New tables with their own indexes and keys are titled by the tables; an index on a
    # table that exists already is a change of its own (an index-only file has no table).
    if created and all(isinstance(op, CreateTable) or (
            isinstance(op, CreateIndex | AddForeignKey) and op.table in created) for op in ops):
        return f"Create table{'s' if len(created) > 1 else ''} {', '.join(created)}."
    indexes = [op for op in ops if isinstance(op, CreateIndex)]
    if len(ops) > 1 and len(indexes) == len(ops):
        return f"Create indexes {', '.join(op.name for op in indexes)}."
    if len(ops) == 1:
        return ops[0].describe()
    words = [op.name_fragment().replace("_", " ") for op in ops]
    shown = ", ".join(words[:3]) + (f" and {len(words) - 3} more" if len(words) > 3 else "")
    return f"{len(ops)} schema changes: {shown}."
