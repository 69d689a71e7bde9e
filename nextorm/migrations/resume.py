"""Can a migration that stopped half-way on MariaDB be resumed where it stopped?

MariaDB commits each DDL statement at once, so a migration killed or failed half-way leaves
some statements committed.  The tracking row counts them (``progress``); ``migrate --retry``
can skip that many and run the rest, but only when skipping is sound:

- the file is the one that ran (its checksum is unchanged), and
- the function is a plain sequence of ``db.execute`` / ``db.query`` calls (or the guide's
  ``db._execute_dml`` / ``db._execute``), whose queries only feed ``if ...: raise`` checks
  (a resumed run skips the checks its first run passed), with
  straight-line control flow: no loops, ``try``, ``with``, nested functions or calls to other
  code, so the N-th write statement on this run is the N-th write statement of the last run.
  ``if ...: raise ...`` checks (the generated "check first" steps) are allowed.

Anything else is refused with the reason, and the user resolves it by hand as before.
"""

from __future__ import annotations

import ast
from pathlib import Path

#: The Database methods a plain migration may call.
DB_METHODS = frozenset({"execute", "query", "_execute_dml", "_execute", "_insert"})
_FORBIDDEN = {
    ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop",
    ast.Try: "a try block", ast.With: "a with block", ast.AsyncWith: "a with block",
    ast.FunctionDef: "a nested function", ast.AsyncFunctionDef: "a nested function",
    ast.Lambda: "a lambda", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.Import: "an import", ast.ImportFrom: "an import", ast.Global: "a global statement",
    ast.Nonlocal: "a nonlocal statement", ast.Await: "an await",
}


def why_not_resumable(path: Path, function_name: str) -> str | None:
    """Return why ``function_name`` in ``path`` cannot be resumed, or None if it can."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return f"{path.name} cannot be read or parsed"
    function = next((node for node in tree.body if isinstance(node, ast.FunctionDef)
                     and node.name == function_name), None)
    if function is None or not function.args.args:
        return f"{path.name} has no {function_name}(db) function"
    db = function.args.args[0].arg
    raising = {id(n) for r in ast.walk(function) if isinstance(r, ast.Raise)
               for n in ast.walk(r)}
    for node in ast.walk(function):
        if node is function:
            continue
        kind = _FORBIDDEN.get(type(node))
        if kind is not None:
            return f"its {function_name}() has {kind} (line {node.lineno})"  # type: ignore[attr-defined]
        if isinstance(node, ast.Call) and id(node) not in raising and not _is_db_call(node, db):
            return (f"its {function_name}() calls code other than {db}._execute_dml "
                    f"(line {node.lineno})")
    return _query_outside_checks(function, db)


def _query_outside_checks(function: ast.FunctionDef, db: str) -> str | None:
    """Refuse a query whose rows feed anything but an ``if ...: raise`` check."""
    in_checks = {id(n) for node in ast.walk(function) if isinstance(node, ast.If)
                 and all(isinstance(s, ast.Raise) for s in node.body) for n in ast.walk(node)}
    results: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _is_query(node, db) and id(node) not in in_checks:
            parent = _assignment_of(function, node)
            if parent is None:
                return (f"its {function.name}() uses a query's rows in a statement "
                        f"(line {node.lineno})")
            results.add(parent)
    for node in ast.walk(function):
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                and node.id in results and id(node) not in in_checks):
            return (f"its {function.name}() uses a query's rows in a statement "
                    f"(line {node.lineno})")
    return None


def _assignment_of(function: ast.FunctionDef, call: ast.Call) -> str | None:
    """The name a query's rows are assigned to (``found = db.query(...)``), if that is all."""
    for node in ast.walk(function):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.value is call):
            return node.targets[0].id
    return None


def _is_query(call: ast.Call, db: str) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr in ("_execute", "query")
            and isinstance(func.value, ast.Name) and func.value.id == db)


def _is_db_call(call: ast.Call, db: str) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr in DB_METHODS
            and isinstance(func.value, ast.Name) and func.value.id == db)
