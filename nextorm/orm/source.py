"""Find the syntax tree of a generator expression or a lambda from its code object.

``decompile.py`` translates ``select(u for u in User if ...)`` from its source, not from its
bytecode (see there why).  A code object knows its file (``co_filename``) and, since Python
3.11, the source span of every instruction (``co_positions()``).  The file is read through
``linecache`` (which also holds the cells of IPython/Jupyter), parsed once, and the innermost
``GeneratorExp`` or ``Lambda`` whose span covers every instruction is the one that made the
code object.  Its variable names are checked against the code object, so a file edited after
it was imported is refused instead of translated wrongly.
"""

from __future__ import annotations

import ast
import linecache
from types import CodeType

from ..errors import DecompileError

#: The nodes of each parsed file: ``filename -> (the lines linecache gave, the nodes)``.
_PARSED: dict[str, tuple[list[str], list[ast.GeneratorExp | ast.Lambda]]] = {}


def where(code: CodeType) -> str:
    """``file:line`` of a code object, for error messages."""
    return f"{code.co_filename}:{code.co_firstlineno}"


def find_node(code: CodeType) -> ast.GeneratorExp | ast.Lambda:
    """The generator expression or lambda whose code object is ``code``."""
    kind: type[ast.GeneratorExp] | type[ast.Lambda]
    if code.co_name == "<genexpr>":
        kind, what = ast.GeneratorExp, "generator expression"
    elif code.co_name == "<lambda>":
        kind, what = ast.Lambda, "lambda"
    else:
        raise DecompileError(f"{code.co_name}() at {where(code)}: a query takes a generator "
                             f"expression or a lambda, not a function defined with def")
    spans = [(line, col, end_line, end_col)
             for line, end_line, col, end_col in code.co_positions()
             if line is not None and end_line is not None and col is not None
             and end_col is not None and (line, col) != (end_line, end_col)]
    found = None
    for node in _nodes(code, what):
        if isinstance(node, kind) and all(_covers(node, span) for span in spans):
            if found is None or (node.lineno, node.col_offset) > (found.lineno, found.col_offset):
                found = node
    if found is None or not _same_names(found, code):
        raise DecompileError(f"the source of the {what} at {where(code)} is not the code that "
                             f"runs (was the file edited after it was imported?)")
    return found


def _nodes(code: CodeType, what: str) -> list[ast.GeneratorExp | ast.Lambda]:
    filename = code.co_filename
    lines = linecache.getlines(filename)
    if not lines:
        raise DecompileError(f"cannot read the source of the {what} at {where(code)}: NextORM "
                             f"translates query generators and lambdas from their source file")
    cached = _PARSED.get(filename)
    if cached is not None and cached[0] is lines:
        return cached[1]
    try:
        tree = ast.parse("".join(lines), filename)
    except SyntaxError as exc:
        raise DecompileError(f"cannot parse {filename} to read the {what} at line "
                             f"{code.co_firstlineno}: {exc}") from None
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.GeneratorExp | ast.Lambda)]
    _PARSED[filename] = (lines, nodes)
    return nodes


def _covers(node: ast.expr, span: tuple[int, int, int, int]) -> bool:
    line, col, end_line, end_col = span
    end = (node.end_lineno or 0, node.end_col_offset or 0)
    return (node.lineno, node.col_offset) <= (line, col) and (end_line, end_col) <= end


def _same_names(node: ast.GeneratorExp | ast.Lambda, code: CodeType) -> bool:
    """The node binds the names the code object has (a stale file binds others)."""
    if isinstance(node, ast.Lambda):
        args = node.args
        names = [a.arg for a in (*args.posonlyargs, *args.args)]
        return names == list(code.co_varnames[:code.co_argcount])
    targets = {n.id for comp in node.generators for n in ast.walk(comp.target)
               if isinstance(n, ast.Name)}
    return targets <= set(code.co_varnames)
