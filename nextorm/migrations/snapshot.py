"""Load, validate and serialise ``migrations/.schema_snapshot.json``.

The snapshot is the schema dict (``docs/schema-dict.md``) as it was when the last migration was
generated: the baseline ``makemigrations`` diffs the entities against.  It is written with
sorted keys and a fixed indent, so regenerating an unchanged schema gives the same bytes and a
code review shows exactly what changed.  A missing file means an empty schema (the first run
writes ``0001_initial.py``); a corrupt file or an unknown format is an error, never a silent
reset, because a reset would re-create every table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import SnapshotError
from ..schema.model import SCHEMA_FORMAT, empty_schema

SNAPSHOT_NAME = ".schema_snapshot.json"
_TABLE_KEYS = ("columns", "primary_key", "indexes", "uniques", "foreign_keys")


def snapshot_path(directory: str | Path) -> Path:
    """Return the snapshot file's path inside a migrations directory."""
    return Path(directory) / SNAPSHOT_NAME


def dumps(schema: dict[str, Any]) -> str:
    """Return the snapshot text for a schema dict: sorted keys, stable bytes, final newline."""
    data = {"format": SCHEMA_FORMAT, "tables": schema["tables"]}
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def load(directory: str | Path) -> dict[str, Any]:
    """Return the snapshot's schema dict; an empty schema when the file does not exist."""
    path = snapshot_path(directory)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty_schema()
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read the snapshot: {exc.strerror}") from exc
    return loads(text, path)


def loads(text: str, path: str | Path = SNAPSHOT_NAME) -> dict[str, Any]:
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


def validate(data: Any, path: str | Path = SNAPSHOT_NAME) -> None:
    """Raise SnapshotError unless ``data`` is a schema dict of a format this version reads."""
    if not isinstance(data, dict) or "format" not in data:
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
