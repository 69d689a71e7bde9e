"""One migrations folder for several servers: which part of a file runs where.

A file written for several servers lists them, and holds one plain function per server and
direction::

    DIALECTS = ["sqlite", "postgres"]
    ATOMIC = {"postgres": False}          # optional: a value for the whole file, or per server

    def upgrade_sqlite(db): ...
    def upgrade_postgres(db): ...
    def downgrade_sqlite(db): ...
    def downgrade_postgres(db): ...

The runner calls ``<direction>_<server>`` for the server it is bound to, else the file's plain
``upgrade``/``downgrade`` (a hand-written file may share one function between the servers it
lists).  A server the file does not list, or one it lists without an ``upgrade``, is refused
before anything runs, with one line naming the file and the server.

``ATOMIC`` and ``FOREIGN_KEYS_OFF`` may be a dict keyed by server: online DDL makes
PostgreSQL's part run statement by statement, and SQLite's table rebuild switches its foreign
keys off, without changing how the other servers' parts run.

The loader hands the executor, ``sqlmigrate`` and the lint a *view* of the file for the bound
server (``bound_part``): a module whose ``upgrade``, ``downgrade``, ``ATOMIC``,
``FOREIGN_KEYS_OFF`` and ``DIALECT`` are that server's, so they run it as a single-server file.
``makemigrations`` reads which servers each file is for (``declared_servers``) to refuse a file
for another server in the same folder (``check_folder``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from ..dialects import PROVIDER_ALIASES
from ..errors import MigrationError, MigrationFileError
from .loader import MigrationFile, display, migration_number

#: The file-level settings that may differ per server (dict keyed by server).
PER_SERVER_FLAGS = (("ATOMIC", True), ("FOREIGN_KEYS_OFF", False))
DIRECTIONS = ("upgrade", "downgrade")
#: ``DIALECT = ...`` / ``DIALECTS = ...`` on a line of its own, as generated files write them.
_DECLARATION = re.compile(r"^(DIALECTS?)\s*=\s*(.+?)\s*$", re.MULTILINE)


def server_name(name: object, where: str) -> str:
    """The canonical server of ``name`` (``postgresql`` -> ``postgres``), or an error line."""
    found = PROVIDER_ALIASES.get(str(name).lower())
    if found is None:
        raise MigrationFileError(f"{where}: unknown server {name!r} in DIALECTS; use 'sqlite', "
                                 "'postgres' or 'mysql'")
    return found


def servers_of(value: object, where: str) -> list[str]:
    """The servers of a ``DIALECTS`` value (a list or tuple of names), checked."""
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise MigrationFileError(f"{where}: DIALECTS must be a list of servers, e.g. "
                                 "DIALECTS = [\"sqlite\", \"postgres\"]")
    return list(dict.fromkeys(server_name(name, where) for name in value))


def bound_part(module: ModuleType, migration: MigrationFile, provider: str | None) -> ModuleType:
    """Return the view of a multi-server ``module`` for ``provider`` (see the module doc)."""
    where = migration.display_path
    if hasattr(module, "DIALECT"):
        raise MigrationFileError(f"{where} has both DIALECT and DIALECTS; keep DIALECTS (the "
                                 "servers it has a part for)")
    servers = servers_of(module.DIALECTS, where)
    if provider is None:
        return module
    if provider not in servers:
        raise MigrationFileError(
            f"{where} has no part for {provider} (DIALECTS = {', '.join(servers)}): add "
            f"{provider} to DIALECTS with an upgrade_{provider}(db) function, or generate the "
            f"file with {provider} in dialects under [tool.nextorm]")
    view = ModuleType(module.__name__, module.__doc__)
    view.__dict__.update(vars(module))
    for direction in DIRECTIONS:
        function = getattr(module, f"{direction}_{provider}", None) or getattr(
            module, direction, None)
        if callable(function):
            setattr(view, direction, function)
        elif direction == "upgrade":
            raise MigrationFileError(
                f"{where} lists {provider} in DIALECTS but has no upgrade_{provider}(db) "
                "function (nor a shared upgrade(db)); write it, or remove "
                f"{provider} from DIALECTS")
        else:
            view.__dict__.pop(direction, None)
    for flag, default in PER_SERVER_FLAGS:
        setattr(view, flag, flag_for(module, flag, default, provider, where))
    view.__dict__["DIALECT"] = provider  # the server this view runs on
    view.__dict__.pop("DIALECTS", None)
    return view


def flag_for(module: ModuleType, flag: str, default: bool, provider: str, where: str) -> bool:
    """``ATOMIC`` / ``FOREIGN_KEYS_OFF`` for ``provider``: one bool, or a dict per server."""
    value = getattr(module, flag, default)
    if isinstance(value, dict):
        chosen = {server_name(k, where): v for k, v in value.items()}
        value = chosen.get(provider, default)
    if not isinstance(value, bool):
        raise MigrationFileError(f"{where}: {flag} must be True, False or a dict per server, "
                                 f"e.g. {flag} = {{\"postgres\": {not default}}}")
    return value


def part_name(path: Path, direction: str, provider: str | None) -> str:
    """The function that runs ``direction`` on ``provider``: ``upgrade_postgres`` when the file
    defines it, else ``upgrade`` (what the file's parser-based checks must read)."""
    if provider is None:
        return direction
    wanted = f"{direction}_{provider}"
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return direction
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    return wanted if wanted in names else direction


def declared_servers(text: str, where: str) -> list[str] | None:
    """The servers a file's source says it is for (``DIALECT`` or ``DIALECTS``); None for a
    file that declares neither (hand-written: it may run anywhere)."""
    found: dict[str, Any] = {}
    for match in _DECLARATION.finditer(text):
        try:
            found[match.group(1)] = ast.literal_eval(match.group(2))
        except (ValueError, SyntaxError):
            found.update(_declarations_by_parsing(text))
            break
    if "DIALECTS" in found:
        return servers_of(found["DIALECTS"], where)
    if "DIALECT" in found:
        return [server_name(found["DIALECT"], where)]
    return None


def _declarations_by_parsing(text: str) -> dict[str, Any]:
    """The declarations of a file black laid out over several lines."""
    found: dict[str, Any] = {}
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return found
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in ("DIALECT", "DIALECTS"):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def check_folder(directory: str | Path, servers: list[str]) -> list[str]:
    """Refuse a new file for ``servers`` in a folder whose files serve another server.

    The folder serves the servers every declaring file has a part for.  A new file must keep
    serving all of them (it may add servers: the notes then say which earlier files lack the
    new server's part).  Returns those notes.
    """
    folder = Path(directory)
    if not folder.is_dir():
        return []
    served: set[str] | None = None
    lacking: dict[str, list[str]] = {}
    last = ""
    for path in sorted(folder.iterdir()):
        if migration_number(path.name) is None or not path.is_file():
            continue
        where = display(path)
        declared = declared_servers(path.read_text(encoding="utf-8", errors="replace"), where)
        if declared is None:
            continue
        served = set(declared) if served is None else served & set(declared)
        last = where
        for server in servers:
            if server not in declared:
                lacking.setdefault(server, []).append(path.name)
    if served is None:
        return []
    dropped = sorted(served - set(servers))
    if dropped:
        wanted = ", ".join(f'"{s}"' for s in dict.fromkeys([*sorted(served), *servers]))
        raise MigrationError(
            f"{last} and the files before it are for {', '.join(sorted(served))}; the new "
            f"migration would be for {', '.join(servers)} only: set dialects = [{wanted}] "
            "under [tool.nextorm] (or repeat --dialect), or use another --directory")
    return [f"{len(names)} earlier file(s) ({names[0]}{' ...' if len(names) > 1 else ''}) "
            f"have no part for {server}: write it before migrating a {server} database "
            "(docs/templates.md)" for server, names in lacking.items()]


def parse_dialects(value: object) -> list[str]:
    """The servers of ``--dialect`` (repeated) or ``dialects`` in ``[tool.nextorm]``."""
    if not value:
        return []
    names = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    result = []
    for name in (str(n).strip() for n in names):
        found = PROVIDER_ALIASES.get(name.lower())
        if found is None:
            raise MigrationError(f"dialects: unknown server {name!r}; use 'sqlite', "
                                 "'postgres' or 'mysql'")
        result.append(found)
    return list(dict.fromkeys(result))
