"""Load, validate, serialise and keep in step ``migrations/.schema_snapshot.json``.

The snapshot is the schema dict (``docs/schema-dict.md``) as it was when the last migration was
generated: the baseline ``makemigrations`` diffs the entities against.  It is written with
sorted keys and a fixed indent, so regenerating an unchanged schema gives the same bytes and a
code review shows exactly what changed.  A corrupt file or an unknown format is an error, never
a silent reset, because a reset would re-create every table.

The snapshot also records which migration file it was written with (``migration``) and, for
each generated migration, the definitions its changes replaced (``history``: ``{"migration":
name, "before": {table: definition or null}}``).  That keeps it in step with the files:

- the newest migration file deleted (the "regenerate my last migration" workflow): the
  snapshot is rolled back to the state before it, in memory, and the change is written again;
- a generated migration newer than the snapshot (the snapshot was not committed with it), a
  deleted middle file, or a missing snapshot beside existing migrations: an error saying how to
  restore or rebuild it (``rebuild-snapshot`` reads a database that has every migration
  applied), never a new ``0002_initial.py`` that re-creates every table;
- ``schema_after(name)``: the schema as the applied migrations up to ``name`` left it, which
  ``check`` compares with the live database.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

from ..errors import SnapshotError
from ..records import Record
from ..schema.model import SCHEMA_FORMAT, empty_schema
from .loader import SNAPSHOT_NAME, migration_number

if TYPE_CHECKING:
    from pathlib import Path

_TABLE_KEYS = ("columns", "primary_key", "indexes", "uniques", "foreign_keys")


def snapshot_path(directory: str | os.PathLike[str]) -> Path:
    """Return the snapshot file's path inside a migrations directory."""
    from pathlib import Path

    return Path(directory) / SNAPSHOT_NAME


class _Shown:
    """``snapshot_path(directory)`` as messages print it, made only when one is formatted:
    reading the snapshot (every ``migrate`` of a project that has one) needs no ``Path``."""

    __slots__ = ("directory",)

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = directory

    def __str__(self) -> str:
        return str(snapshot_path(self.directory))


def dumps(schema: dict[str, Any]) -> str:
    """Return the snapshot text for a schema dict: sorted keys, stable bytes, final newline.

    ``migration`` and ``history`` are kept when ``schema`` carries them.
    """
    data = {"format": SCHEMA_FORMAT, "tables": schema["tables"]}
    for key in ("migration", "history"):
        if schema.get(key) is not None:
            data[key] = schema[key]
    from .jsontext import dumps_sorted  # json.dumps(sort_keys, indent=2)'s text, faster

    return dumps_sorted(data) + "\n"


def write(directory: str | os.PathLike[str], data: dict[str, Any]) -> Path:
    """Write the snapshot whole or not at all (a temporary file moved into place)."""
    path = snapshot_path(directory)
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(dumps(data), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise SnapshotError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def load(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the snapshot's schema dict; an empty schema when the file does not exist."""
    path = _Shown(directory)
    try:
        with open(os.path.join(directory, SNAPSHOT_NAME), encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        return empty_schema()
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read the snapshot: {exc.strerror}") from exc
    return loads(text, path)


def loads(text: str, path: str | Path | _Shown = SNAPSHOT_NAME) -> dict[str, Any]:
    """Parse and validate snapshot text; raise SnapshotError naming ``path`` if it is bad."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{path}: corrupt snapshot (line {exc.lineno}: {exc.msg}); restore it from version "
            "control, it is the baseline of the next migration"
        ) from None
    validate(data, path)
    return data


def validate(data: Any, path: str | Path | _Shown = SNAPSHOT_NAME) -> None:
    """Raise SnapshotError unless ``data`` is a schema dict of a format this version reads."""
    if not isinstance(data, dict) or "format" not in data:
        from .snapshot051 import is_051  # only a file without our 'format' key pays for it

        if is_051(data):
            raise SnapshotError(
                f"{path} was written by nextorm 0.5.1: convert it once with 'migrate' or "
                "'adopt-0.5.1' (see docs/coming-from-0.5.1.md)"
            )
        raise SnapshotError(f"{path}: not a NextORM schema snapshot (no 'format' key)")
    if data["format"] != SCHEMA_FORMAT:
        raise SnapshotError(
            f"{path}: snapshot format {data['format']!r} is unknown to this NextORM "
            f"(it reads format {SCHEMA_FORMAT}); upgrade NextORM"
        )
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise SnapshotError(f"{path}: snapshot has no 'tables' object")
    for name, table in tables.items():
        if not isinstance(table, dict) or any(key not in table for key in _TABLE_KEYS):
            missing = [k for k in _TABLE_KEYS if not isinstance(table, dict) or k not in table]
            raise SnapshotError(f"{path}: table {name!r} is missing {', '.join(missing)}")
        for col_name, col in table["columns"].items():
            if not isinstance(col, dict) or "type" not in col:
                raise SnapshotError(f"{path}: column {name}.{col_name} has no type")
    history = data.get("history", [])
    if not isinstance(history, list) or not all(
            isinstance(e, dict) and isinstance(e.get("migration"), str)
            and isinstance(e.get("before"), dict) for e in history):
        raise SnapshotError(f"{path}: snapshot 'history' is not a list of migrations")


# -- keeping the snapshot in step with the migration files -------------------------------------

_NUMBERED = re.compile(r"^(\d+)_.*\.py$")
#: The first line of a generated file's docstring says so (templates/migration.py.j2).
GENERATED_MARK = b"Generated by NextORM"


class SnapshotState(Record):
    """The snapshot as ``makemigrations`` should use it, after checking it against the files.

    (A plain class: ``migrate`` reads the snapshot too, and a dataclass costs its creation.)
    """

    __slots__ = ("schema", "migration", "history", "notes")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(self, schema: dict[str, Any], migration: str | None = None,
                 history: list[dict[str, Any]] | None = None,
                 notes: list[str] | None = None) -> None:
        self.schema = schema
        self.migration = migration
        self.history: list[dict[str, Any]] = [] if history is None else history
        self.notes: list[str] = [] if notes is None else notes

    def advance(self, new: dict[str, Any], migration: str) -> dict[str, Any]:
        """Return the snapshot to write with ``migration``, whose changes lead to ``new``."""
        old_tables, new_tables = _plain(self.schema["tables"]), _plain(new["tables"])
        before = {name: old_tables.get(name) for name in old_tables.keys() | new_tables.keys()
                  if old_tables.get(name) != new_tables.get(name)}
        history = [*self.history, {"migration": migration, "before": before}]
        return {"format": SCHEMA_FORMAT, "tables": new["tables"], "migration": migration,
                "history": history}

    def schema_after(self, migration: str | None) -> dict[str, Any] | None:
        """The schema right after ``migration`` (None: nothing applied); None if unknown.

        Unknown means ``migration`` is older than the history goes back (a rebuilt snapshot).
        """
        if migration == self.migration:
            return self.schema
        if migration is None:
            return empty_schema()
        names = [entry["migration"] for entry in self.history]
        if migration not in names:
            return None
        tables = _plain(self.schema["tables"])
        for entry in reversed(self.history[names.index(migration) + 1:]):
            _undo(tables, entry)
        return {"format": SCHEMA_FORMAT, "tables": tables}


def load_state(directory: str | os.PathLike[str]) -> SnapshotState:
    """Load the snapshot and bring it in step with the migration files, or say how to."""
    path = _Shown(directory)
    files = _migration_files(directory)
    if not os.path.exists(os.path.join(directory, SNAPSHOT_NAME)):
        if files:
            raise SnapshotError(
                f"{path} is missing but {len(files)} migration file(s) exist "
                f"({files[0][1]} ... {files[-1][1]}): restore it from version control, or "
                "rebuild it from a database that has every migration applied with "
                "'python -m nextorm.migrations.cli rebuild-snapshot --module ...'"
            )
        return SnapshotState(empty_schema())
    data = load(directory)
    state = SnapshotState({"format": data["format"], "tables": data["tables"]},
                          data.get("migration"), list(data.get("history", [])))
    if state.migration is not None:
        _roll_back_deleted(state, files, path)
        _refuse_newer_generated(state, files, path)
    return state


def _roll_back_deleted(state: SnapshotState, files: list[tuple[int, str, str]],
                       path: _Shown) -> None:
    """Undo the newest history entries whose files were deleted (regenerating a migration)."""
    present = {name for _, name, _ in files}
    while state.migration is not None and state.migration not in present:
        if not state.history or state.history[-1]["migration"] != state.migration:
            raise SnapshotError(
                f"{path} was written with {state.migration}, which is gone, and it cannot be "
                "rolled back past it: restore the file, or restore the snapshot from version "
                "control, or rebuild it with 'rebuild-snapshot'"
            )
        entry = state.history.pop()
        tables = _plain(state.schema["tables"])
        _undo(tables, entry)
        state.schema = {"format": SCHEMA_FORMAT, "tables": tables}
        state.migration = state.history[-1]["migration"] if state.history else None
        back_to = state.migration or "an empty schema"
        state.notes.append(f"{entry['migration']} is gone: the snapshot is rolled back to "
                           f"{back_to}, and its changes are detected again")
    missing = [e["migration"] for e in state.history if e["migration"] not in present]
    if missing:
        raise SnapshotError(
            f"{path} records {missing[0]}, but that file is gone while later migrations "
            "remain: restore it (deleting a migration is only safe for the newest one)"
        )


def _refuse_newer_generated(state: SnapshotState, files: list[tuple[int, str, str]],
                            path: _Shown) -> None:
    """A generated file newer than the snapshot means the snapshot is behind the files."""
    if state.migration is None:
        newer = files
    else:
        match = _NUMBERED.match(state.migration)
        number = int(match.group(1)) if match else 0
        newer = [f for f in files if f[0] > number]
    for _, name, file in newer:
        with open(file, "rb") as opened:
            generated = GENERATED_MARK in opened.read(400)
        if generated:
            written = state.migration or "no migration"
            raise SnapshotError(
                f"{path} is behind the files: it was written with {written}, but {name} "
                "was generated after it (the snapshot was not committed with it?): restore "
                "the snapshot that goes with it from version control, or rebuild it with "
                "'rebuild-snapshot' from a database that has every migration applied"
            )


def _migration_files(folder: str | os.PathLike[str]) -> list[tuple[int, str, str]]:
    """``(number, name, path)`` of each migration file in ``folder``, in number order."""
    if not os.path.isdir(folder):
        return []
    with os.scandir(folder) as entries:
        found = [(int(digits), e.name, e.path) for e in entries
                 if (digits := migration_number(e.name)) is not None and e.is_file()]
    return sorted(found)


def _undo(tables: dict[str, Any], entry: dict[str, Any]) -> None:
    for name, definition in entry["before"].items():
        if definition is None:
            tables.pop(name, None)
        else:
            tables[name] = definition


def _plain(tables: dict[str, Any]) -> dict[str, Any]:
    """A deep copy in JSON's own types, so equality means "the same in the snapshot"."""
    return json.loads(json.dumps(tables))
