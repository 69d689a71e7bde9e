"""makemigrations for several servers: one file with a part per server.

``[tool.nextorm] dialects = ["sqlite", "postgres"]`` (or ``--dialect`` repeated) renders each
server's part with that server's dialect, exactly as a single-server file is rendered
(``writer.server_context``: the same steps, checks before DDL, SQLite table rebuilds from the
schema state at render time), into ``multi/migration.py.j2``.  How the runner picks a part is
in ``multiserver.py``.

Without ``dialects`` (or with one server) the file is the single-server file it always was.
Either way the folder is checked first: a file for another server than the folder's files is
refused (``multiserver.check_folder``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..dialects import get_dialect
from .multiserver import check_folder, parse_dialects
from .writer import (
    _environment,
    black_mode,
    format_source,
    module_context,
    render_migration,
    render_template,
    server_context,
)

MULTI_TEMPLATE = "multi/migration.py.j2"


def render_for_servers(operations: list[Any], undo: list[Any], dialect: Any, dialects: Any,
                       online: tuple[set[str], Any], *, directory: str | Path,
                       **options: Any) -> tuple[str, list[str]]:
    """Return the module's source for the chosen servers, and notes for the user.

    ``dialect`` is the bound server's; ``dialects`` the servers asked for (empty: the bound
    one); ``online`` the arguments of ``Dialect.for_migration`` (the tables that exist
    before and after, and which get concurrent indexes), applied to each server.
    ``options`` are ``render_migration``'s (summary, version, now, templates, before, after).
    """
    servers = parse_dialects(dialects) or [dialect.name]
    notes = check_folder(directory, servers)
    chosen = [(dialect if name == dialect.name else get_dialect(name)).for_migration(*online)
              for name in servers]
    if len(chosen) == 1:
        return render_migration(operations, undo, chosen[0], format_from=directory,
                                **options), notes
    return render_multi(operations, undo, chosen, format_from=directory, **options), notes


def render_multi(operations: list[Any], undo: list[Any], dialects: list[Any], *, summary: str,
                 version: str, now: dt.datetime | None = None,
                 templates: str | Path | None = None, format_from: str | Path | None = None,
                 before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None) -> str:
    """Return the source of a migration module with one part per dialect, formatted by black.

    Each part has its own flags: only SQLite's parts rebuild tables (``FOREIGN_KEYS_OFF``),
    and online DDL makes only that server's part non-atomic (``ATOMIC`` per server), so one
    server's needs never take another's transaction away.
    """
    env = _environment(templates)
    parts = [server_context(env, operations, undo, dialect, before or {}, after or {})
             for dialect in dialects]
    context = {
        **module_context(operations, summary, version, now),
        "dialects": [part["dialect"] for part in parts],
        "parts": parts,
        "foreign_keys_off": [part["dialect"] for part in parts if part["foreign_keys_off"]],
        "not_atomic": [part["dialect"] for part in parts if not part["atomic"]],
    }
    return format_source(render_template(env, MULTI_TEMPLATE, context),
                         black_mode(format_from))
