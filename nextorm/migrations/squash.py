"""``nextorm squash FROM TO``: one migration that does what a range of migrations does.

The new file copies the code of each file's ``upgrade()`` (and ``downgrade()``, newest first)
into one function, in order, under a comment naming the file it came from, so hand-written
data changes are kept exactly as they were, and a generated file's checks and computed values
run as they would have.  A function that cannot be copied safely (it returns early, uses
names defined elsewhere in its file, is not indented with 4 spaces ...) stops the squash with
one line naming the file and the reason: nothing is ever dropped silently.

A range of files with a part per server (``DIALECTS``) squashes into one such file: for each
server, its part of every file (``upgrade_postgres``, or the file's shared ``upgrade``) is
copied into ``upgrade_postgres``, and its flags are combined per server: a part is
non-atomic if any replaced file's part for that server is (``ATOMIC = {"postgres": False}``),
and switches SQLite's foreign keys off if any does.  Every file of the range must carry each
server the others carry (a server added half-way has no part in the earlier files: the squash
is refused, naming the file).

The file is numbered like the last file of the range and lists what it replaces
(``REPLACES``); ``replaces.py`` decides, per database, whether it or the old files run.  The
snapshot history's entries for the range become one entry for the new file, so deleting the
old files later leaves the snapshot in step.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from ..dialects import PROVIDER_ALIASES
from ..errors import MigrationError, MigrationFileError
from .loader import SNAPSHOT_NAME, MigrationFile, display
from .multiserver import PER_SERVER_FLAGS, flag_for, server_name, servers_of
from .replaces import replaced_names, stem

#: Module-level names a migration file may set that the runner reads.
FLAGS = ("DIALECT", "DIALECTS", "FOREIGN_KEYS_OFF", "ATOMIC", "REPLACES")
_EARLY_EXIT = {ast.Return: "a return statement", ast.Yield: "a yield",
               ast.YieldFrom: "a yield", ast.Global: "a global statement",
               ast.Nonlocal: "a nonlocal statement"}


class SquashError(MigrationError):
    """A range that cannot be squashed; the message names the file and why."""


def squash(files: list[MigrationFile], first: int, last: int, directory: str | Path,
           name: str | None = None) -> Path:
    """Write the squashed migration of ``first..last`` and return its path."""
    chosen = [f for f in files if first <= f.number <= last]
    if len(chosen) < 2:
        raise SquashError(f"the range {first}..{last} holds {len(chosen)} migration file(s); "
                          "a squash needs at least two")
    parts = [SquashedPart(file) for file in chosen]
    servers = squashed_servers(parts)
    dialects = {p.flags["DIALECT"] for p in parts if p.flags.get("DIALECT")}
    if servers is None and len(dialects) > 1:
        raise SquashError(f"the range mixes files rendered for {', '.join(sorted(dialects))}")
    slug = name or f"squashed_{chosen[0].version}_{chosen[-1].version}"
    path = Path(directory) / f"{chosen[-1].version}_{slug}.py"
    if path.exists():
        raise SquashError(f"{display(path)} already exists; nothing was written")
    source = render(parts, dialects) if servers is None else render_multi(parts, servers)
    compile(source, str(path), "exec")  # never write a file that does not parse
    _write(path, source)
    _squash_history(Path(directory), [f.name for f in chosen], path.name)
    return path


class SquashedPart:
    """One file of the range: its flags and the code of its functions, checked for copying."""

    def __init__(self, file: MigrationFile) -> None:
        self.file = file
        self.text = file.path.read_text(encoding="utf-8")
        if replaced_names(file):
            self._refuse("it is a squashed migration itself; squash the original files")
        try:
            self.tree = ast.parse(self.text)
        except SyntaxError as exc:
            raise SquashError(f"cannot squash {file.display_path}: syntax error line "
                              f"{exc.lineno}") from None
        self.flags: dict[str, Any] = {}
        self.module_names: set[str] = set()
        for node in self.tree.body:
            self._read_top(node)
        where = file.display_path
        try:
            self.servers: list[str] | None = (
                servers_of(self.flags["DIALECTS"], where) if "DIALECTS" in self.flags
                else [server_name(self.flags["DIALECT"], where)] if "DIALECT" in self.flags
                else None)
        except MigrationFileError as exc:
            raise SquashError(f"cannot squash: {exc}") from None
        parts: list[str | None] = list(self.servers or ()) if "DIALECTS" in self.flags \
            else [None]
        for server in parts:
            if self.function("upgrade", server) is None:
                self._refuse(f"it has no {_part('upgrade', server)}(db) function")

    @property
    def functions(self) -> dict[str, ast.FunctionDef]:
        return {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef)}

    def function(self, direction: str, server: str | None) -> ast.FunctionDef | None:
        """What runs ``direction`` on ``server``: its own part, else the shared function."""
        functions = self.functions
        own = functions.get(_part(direction, server)) if "DIALECTS" in self.flags else None
        return own or functions.get(direction)

    def flag(self, name: str, default: bool, server: str) -> bool:
        """``ATOMIC`` / ``FOREIGN_KEYS_OFF`` of this file for ``server`` (bool or per server)."""
        view = ModuleType(self.file.name)
        view.__dict__.update(self.flags)
        try:
            return flag_for(view, name, default, server, self.file.display_path)
        except MigrationFileError as exc:
            raise SquashError(f"cannot squash: {exc}") from None

    def _read_top(self, node: ast.stmt) -> None:
        targets = (node.targets if isinstance(node, ast.Assign) else [])
        for target in targets:
            if isinstance(target, ast.Name) and target.id in FLAGS:
                try:
                    self.flags[target.id] = ast.literal_eval(node.value)  # type: ignore[attr-defined]
                except ValueError:
                    self._refuse(f"its {target.id} is not a plain value")
                return
        for found in ast.walk(node) if not isinstance(node, ast.FunctionDef) else []:
            if isinstance(found, ast.Name) and isinstance(found.ctx, ast.Store):
                self.module_names.add(found.id)
            elif isinstance(found, ast.alias):
                self.module_names.add((found.asname or found.name).split(".")[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and not _is_part(node.name):
            self.module_names.add(node.name)

    def _refuse(self, why: str) -> None:
        raise SquashError(f"cannot squash {self.file.display_path}: {why}; squash a range "
                          "without it, or rewrite it so it can be copied")

    def body(self, direction: str, server: str | None = None) -> list[str] | None:
        """The lines of ``direction``'s body (on ``server``) as written, checked; None if
        the file has none."""
        function = self.function(direction, server)
        if function is None:
            return None
        direction = function.name
        self._check(function, direction)
        lines = self.text.splitlines()
        start = function.lineno - 1
        while not lines[start].split("#")[0].rstrip().endswith(":"):
            start += 1
        body = lines[start + 1:function.end_lineno]
        first = next(line for line in body if line.strip())
        if not first.startswith("    ") or first.startswith("     ") or "\t" in first[:4]:
            self._refuse(f"its {direction}() is not indented with 4 spaces (format it with "
                         "black)")
        param = function.args.args[0].arg
        return ([f"    {param} = db"] if param != "db" else []) + body

    def _check(self, function: ast.FunctionDef, direction: str) -> None:
        args = function.args
        if function.decorator_list or len(args.args) != 1 or args.vararg or args.kwarg \
                or args.kwonlyargs or args.posonlyargs:
            self._refuse(f"its {direction}() is not a plain {direction}(db) function")
        for node in _own_nodes(function):
            kind = _EARLY_EXIT.get(type(node))
            if kind is not None:
                self._refuse(f"its {direction}() has {kind} (line {node.lineno})")  # type: ignore[attr-defined]
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                    and node.id in self.module_names:
                self._refuse(f"its {direction}() uses {node.id}, defined outside it "
                             f"(line {node.lineno}); move it inside the function")


def _own_nodes(function: ast.FunctionDef) -> list[ast.AST]:
    """The nodes of a function, not those of functions or classes nested in it (but names
    they read from outside count)."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = list(function.body)
    while todo:
        node = todo.pop()
        found.append(node)
        nested = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                            | ast.ClassDef)
        for child in ast.iter_child_nodes(node):
            if not nested or isinstance(child, ast.Name):
                todo.append(child)
            elif nested:
                todo.extend(n for n in ast.walk(child) if isinstance(n, ast.Name))
    return found


def _part(direction: str, server: str | None) -> str:
    return f"{direction}_{server}" if server else direction


def _is_part(name: str) -> bool:
    """``upgrade``, ``downgrade`` or a server's part of them (``upgrade_postgres``)."""
    direction, _, server = name.partition("_")
    return direction in ("upgrade", "downgrade") and (not server or server in PROVIDER_ALIASES)


def squashed_servers(parts: list[SquashedPart]) -> list[str] | None:
    """The servers of the squashed file when the range has a part per server; None for a
    range of single-server files.  A server must be carried by every file that declares its
    servers (files that declare none run anywhere)."""
    if not any("DIALECTS" in p.flags for p in parts):
        return None
    declared = [p for p in parts if p.servers is not None]
    listed = [s for p in declared for s in p.servers or ()]
    for server in dict.fromkeys(listed):
        lacking = next((p for p in declared if server not in (p.servers or ())), None)
        if lacking is not None:
            carrier = next(p for p in declared if server in (p.servers or ()))
            raise SquashError(
                f"cannot squash {lacking.file.display_path}: it has no part for {server}, "
                f"which {carrier.file.name} has; write that part first (docs/templates.md), "
                "or squash a range whose files all carry the same servers")
    return list(dict.fromkeys(listed))


def _head(parts: list[SquashedPart]) -> list[str]:
    names = [stem(p.file.name) for p in parts]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [f'"""Squashed {names[0]} .. {names[-1]} ({len(names)} migrations).', "",
            f"Written by nextorm squash on {stamp}. A database that applied the files",
            "listed in REPLACES keeps them; a new database runs this file instead. The old",
            "files may be deleted once every database has applied all of them or none.",
            '"""', ""]


def _replaces(parts: list[SquashedPart]) -> str:
    return "REPLACES = [" + ", ".join(json.dumps(stem(p.file.name)) for p in parts) + "]"


def _functions(parts: list[SquashedPart], server: str | None) -> tuple[list[str], list[str]]:
    """The squashed ``upgrade`` and ``downgrade`` (of ``server``'s part) as source lines."""
    up = ["", "", f"def {_part('upgrade', server)}(db):"]
    up += _joined([(p.file.name, p.body("upgrade", server)) for p in parts])
    downs = [(p.file.name, p.body("downgrade", server)) for p in reversed(parts)]
    missing = [name for name, body in downs if body is None]
    name = _part("downgrade", server)
    if missing:
        return up, ["", "", f"# No {name}(db): {missing[0]} has none."]
    return up, ["", "", f"def {name}(db):", *_joined(downs)]


def render(parts: list[SquashedPart], dialects: set[str]) -> str:
    """The squashed module's source (black's style, so ``black --check`` accepts it)."""
    head = _head(parts)
    if dialects:
        head.append(f"DIALECT = {json.dumps(next(iter(dialects)))}")
    if any(p.flags.get("FOREIGN_KEYS_OFF") for p in parts):
        head.append("FOREIGN_KEYS_OFF = True")
    if any(p.flags.get("ATOMIC", True) is False for p in parts):
        head.append("ATOMIC = False")
    up, down = _functions(parts, None)
    return "\n".join([*head, _replaces(parts), *up, *down]) + "\n"


def render_multi(parts: list[SquashedPart], servers: list[str]) -> str:
    """The squashed module with a part per server; each server's flags combine its parts'."""
    head = _head(parts) + ["DIALECTS = [" + ", ".join(json.dumps(s) for s in servers) + "]"]
    for flag, default in PER_SERVER_FLAGS:  # only the servers that differ from the default
        differ = [s for s in servers if any(p.flag(flag, default, s) is not default
                                            for p in parts)]
        if differ:
            pairs = ", ".join(f"{json.dumps(s)}: {not default}" for s in differ)
            head.append(f"{flag} = {{{pairs}}}")
    functions = [_functions(parts, server) for server in servers]
    ups = [line for up, _ in functions for line in up]
    downs = [line for _, down in functions for line in down]
    return "\n".join([*head, _replaces(parts), *ups, *downs]) + "\n"


def _joined(bodies: list[tuple[str, list[str] | None]]) -> list[str]:
    out: list[str] = []
    for name, body in bodies:
        if out:
            out.append("")
        out.append(f"    # ---- from {name} ----")
        out += [line.rstrip() for line in body or []]
    return out


def _write(path: Path, source: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(source, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise MigrationError(f"cannot write {display(path)}: {exc.strerror}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _squash_history(directory: Path, replaced: list[str], squashed: str) -> None:
    """Make the snapshot's history entries of the range one entry for the squashed file."""
    path = directory / SNAPSHOT_NAME
    if not path.exists():
        return
    from . import snapshot

    data = snapshot.load(directory)
    history = data.get("history", [])
    inside = [e for e in history if e["migration"] in replaced]
    if not inside:
        return
    before: dict[str, Any] = {}
    for entry in inside:
        for table, definition in entry["before"].items():
            before.setdefault(table, definition)
    at = history.index(inside[0])
    rest = [e for e in history if e["migration"] not in replaced]
    data["history"] = [*rest[:at], {"migration": squashed, "before": before}, *rest[at:]]
    if data.get("migration") in replaced:
        data["migration"] = squashed
    tmp = path.with_name(f"{SNAPSHOT_NAME}.tmp")
    tmp.write_text(snapshot.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
