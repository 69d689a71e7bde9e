"""Checksums of migration files: one for the bytes, one for the code that runs.

An applied migration must not change behind the database's back, but people reformat files
(black), add comments and fix docstrings; none of that changes what runs.  So a file has two
checksums:

- ``file_checksum``: SHA-256 of the text with line endings normalised.  Equal means nothing
  changed; it costs one read and one hash, so the no-op ``migrate`` stays cheap.
- ``code_checksum``: SHA-256 of the module's syntax tree with docstrings removed (comments
  and formatting never reach the tree).  Only a file whose bytes changed pays for parsing,
  together with the text that ran (kept in the tracking table, and parsed by the same Python):
  equal means the edit was cosmetic, different means the code changed.
"""

from __future__ import annotations

from typing import Any

try:  # the built-in SHA-256: hashlib loads OpenSSL, 2-3 ms of every no-op migrate
    from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
    except ImportError:  # a Python built without them
        from hashlib import sha256


def file_checksum(data: bytes) -> str:
    """Return the SHA-256 of a file's text with line endings normalised to ``\\n``."""
    if b"\r" in data:  # most files have none: no two copies of each
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return sha256(data).hexdigest()


def code_checksum(data: bytes) -> str | None:
    """Return the SHA-256 of the code in ``data``, or None if it does not parse."""
    import ast  # only a changed file pays for the parser

    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    _strip_docstrings(tree)
    dumped = ast.dump(tree, annotate_fields=False, include_attributes=False)
    return sha256(dumped.encode("utf-8")).hexdigest()


def _strip_docstrings(tree: Any) -> None:
    """Remove the docstring of the module and of every function and class, in place."""
    import ast

    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        body = node.body
        if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
