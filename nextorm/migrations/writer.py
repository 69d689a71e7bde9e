"""Render a migration module from operations: Jinja templates, then black.

Templates are looked up first in the project's own folder (``--templates DIR`` or
``templates = "..."`` under ``[tool.nextorm]``), then in NextORM's defaults, so a project
overrides the module template or one operation's partial by writing a file of the same name.
The context each template receives is documented in ``docs/templates.md``.

The file is formatted with the *user's* black settings, found the way black finds them
(``[tool.black]`` of the pyproject.toml of the project holding the migrations folder, else the
user-level black configuration), and black's own defaults where there are none: a project
that runs ``black --check .`` accepts every generated migration as written.

Jinja and black are imported here only: the runtime (``migrate``) never imports this module.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from ..errors import MigrationError
from ..schema.operations import FillNulls, Operation, Statement
from ..schema.state import walk

MODULE_TEMPLATE = "migration.py.j2"


def default_template_dir() -> Path:
    """Return NextORM's own templates: inside the package (wheel) or at the repository root."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / MODULE_TEMPLATE).is_file():
            return candidate
    raise MigrationError(f"NextORM's templates are missing (looked in {package / 'templates'})")


def project_template_dir(start: str | Path | None = None) -> Path | None:
    """Return ``templates`` from ``[tool.nextorm]`` of the nearest pyproject.toml, if set."""
    import tomllib

    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise MigrationError(f"{pyproject}: cannot read it: {exc}") from None
            value = data.get("tool", {}).get("nextorm", {}).get("templates")
            return (folder / value) if value else None
    return None


def py_string(text: str) -> str:
    """Return a Python literal for ``text``: triple-quoted when that is exact, else repr()."""
    if "\\" in text or "\r" in text:
        return repr(text)
    if "\n" not in text and text.endswith('"'):
        return repr(text)  # black prints 'DROP TABLE "user"'
    if '"""' not in text and not text.endswith('"'):
        return f'"""{text}"""'
    if "\'\'\'" not in text and not text.endswith("'"):
        return f"\'\'\'{text}\'\'\'"
    return repr(text)


def docstring_text(text: str) -> str:
    """Make ``text`` safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _environment(templates: str | Path | None) -> Any:
    import jinja2

    search = []
    if templates is not None:
        folder = Path(templates)
        if not folder.is_dir():
            raise MigrationError(f"templates folder {str(folder)!r} does not exist")
        search.append(str(folder))
    search.append(str(default_template_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        bytecode_cache=_compiled_templates(),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters["pystr"] = py_string
    env.filters["docstring"] = docstring_text
    return env


def _compiled_templates() -> Any:
    """Jinja's cache of compiled templates between runs (a private folder of the user's, under
    the temporary directory; a template whose text changed is compiled again).

    Compiling the templates is a fifth of a one-change makemigrations.  Where no safe folder
    exists, templates are compiled every time, as without the cache.
    """
    import jinja2

    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def step_context(op: Operation, dialect: Any, tables: dict[str, Any]) -> dict[str, Any]:
    """Return the template context of one step: the operation, its comment and its SQL.

    ``tables`` are the schema's tables just before the step.
    """
    kind = re.sub(r"(?<!^)(?=[A-Z])", "_", type(op).__name__).lower()
    template = f"operations/{kind}.py.j2"
    if isinstance(op, FillNulls):
        return fill_context(op, dialect, kind, template)
    statements = _statements(dialect.render(op, tables))
    return {
        "op": op,
        "kind": kind,
        "template": template,
        "table": getattr(op, "table", getattr(op, "new_name", "")),
        "comment": op.describe(),
        "destructive": op.destructive,
        "rebuild": dialect.rebuilds_table(op, tables),
        "notes": dialect.step_notes(op),
        "statements": statements,
    }


class _PythonName:
    """A parameter rendered as a Python name (``value``), not a literal, in the file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def fill_context(op: FillNulls, dialect: Any, kind: str, template: str) -> dict[str, Any]:
    """Return the context of a step that fills NULLs with a value computed at migration time.

    The file imports the callable's module, calls it once into ``value`` (converted as the ORM
    stores that type on this server) and passes ``value`` as the UPDATE's parameter.
    """
    from ..convert import converters

    ltype = op.definition["type"]
    column = {"scale": op.definition["scale"]} if ltype == "decimal" else {}
    has_to_db = converters(None, ltype, column, dialect.name)[0] is not None
    to_db = f"converters(None, {ltype!r}, {column!r}, {dialect.name!r})[0]" if has_to_db else None
    update = dialect.backfill_statement(op.table, op.column, _PythonName("value"))
    return {
        "op": op,
        "kind": kind,
        "template": template,
        "table": op.table,
        "comment": op.describe(),
        "destructive": False,
        "rebuild": False,
        "notes": [],
        "statements": _statements([update]),
        "fill": {"module": op.value.module, "call": op.value.expression(), "to_db": to_db},
    }


def steps(operations: list[Operation], dialect: Any,
          tables: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the step contexts; consecutive rebuilds of one SQLite table become one step.

    ``tables`` are the schema's tables before the first operation: the walk through them hands
    each step the tables just before it (SQLite's rebuild and the data checks read them).
    """
    rebuilt = [dialect.rebuilds_table(op, state) for op, state in walk(operations, tables)]
    groups: list[tuple[int, list[Operation]]] = []  # (index of its first operation, the step)
    for index, op in enumerate(operations):
        if (groups and rebuilt[index] and rebuilt[index - 1]
                and getattr(op, "table", None) == getattr(operations[index - 1], "table", None)):
            groups[-1][1].append(op)
        else:
            groups.append((index, [op]))
    firsts = dict(groups)
    return [step_context(op, dialect, state) if len(firsts[index]) == 1
            else rebuild_context(firsts[index], dialect, state)
            for index, (op, state) in enumerate(walk(operations, tables)) if index in firsts]


def rebuild_context(ops: list[Operation], dialect: Any, tables: dict[str, Any]) -> dict[str, Any]:
    """Return the context of a step that rebuilds one table for several changes at once."""
    return {
        "op": ops[-1],
        "operations": ops,
        "kind": "rebuild_table",
        "template": "operations/rebuild_table.py.j2",
        "table": ops[0].table,  # type: ignore[attr-defined]
        "comment": " ".join(op.describe() for op in ops),
        "comments": [op.describe() for op in ops],
        "destructive": any(op.destructive for op in ops),
        "rebuild": True,
        "notes": [],
        "statements": _statements(dialect.render_rebuild(ops, tables)),
    }


DEFAULT_PARTIAL = "operations/_default.py.j2"


def with_partials(env: Any, contexts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Point each step at its own partial if one exists (the project's first), else the default."""
    found: dict[str, str] = {}
    for context in contexts:
        name = context["template"]
        if name not in found:
            found[name] = env.select_template([name, DEFAULT_PARTIAL]).name
        context["template"] = found[name]
    return contexts


def _statements(rendered: list[Any]) -> list[dict[str, Any]]:
    result = []
    for stmt in rendered:
        if isinstance(stmt, Statement):
            result.append({"sql": stmt.sql, "params": repr(list(stmt.params)),
                           "check": stmt if stmt.error else None})
        else:
            result.append({"sql": stmt, "params": "[]", "check": None})
    return result


def render_migration(
    operations: list[Operation],
    undo: list[Operation],
    dialect: Any,
    *,
    summary: str,
    version: str,
    now: dt.datetime | None = None,
    templates: str | Path | None = None,
    format_from: str | Path | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> str:
    """Return the source of a migration module, formatted by black.

    ``before`` and ``after`` are the schema's tables before and after ``operations`` (where
    ``undo`` starts; None: no tables); the steps are rendered walking through them.
    ``format_from`` is the migrations folder: black's settings are looked up from there
    (None: black's defaults).
    """
    env = _environment(templates)
    context = {**module_context(operations, summary, version, now),
               **server_context(env, operations, undo, dialect, before or {}, after or {})}
    return format_source(render_template(env, MODULE_TEMPLATE, context), black_mode(format_from))


def module_context(operations: list[Operation], summary: str, version: str,
                   now: dt.datetime | None) -> dict[str, Any]:
    """The context every server shares: what the migration does, and when it was written."""
    when = now or dt.datetime.now(dt.UTC)
    return {
        "summary": summary,
        "description": [("DESTRUCTIVE: " if op.destructive else "") + op.describe()
                        for op in operations],
        "version": version,
        "date": when.strftime("%Y-%m-%d %H:%M UTC"),
        "operations": operations,
    }


def server_context(env: Any, operations: list[Operation], undo: list[Operation], dialect: Any,
                   before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The context of one server's part: its steps, checks and flags (``docs/templates.md``).

    A multi-server file (``multirender.py``) renders one of these per server.
    """
    upgrade = with_partials(env, steps(operations, dialect, before))
    downgrade = with_partials(env, steps(undo, dialect, after))
    return {
        "dialect": dialect.name,
        "foreign_keys_off": any(s["rebuild"] for s in upgrade + downgrade),
        # CREATE INDEX CONCURRENTLY, VALIDATE after NOT VALID: each statement commits alone.
        "atomic": not any(dialect.outside_transaction(st["sql"]) for s in upgrade + downgrade
                          for st in s["statements"]),
        "upgrade": upgrade,
        "downgrade": downgrade,
        # Every check of a function, written against the database before its first step,
        # runs before any statement (MariaDB cannot take back DDL that a later check stops).
        "upgrade_checks": _statements(dialect.checks(operations, before)),
        "downgrade_checks": _statements(dialect.checks(undo, after)),
    }


def render_template(env: Any, name: str, context: dict[str, Any]) -> str:
    """Render the module template ``name``; a template error names the template."""
    import jinja2

    try:
        return str(env.get_template(name).render(context))
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
        raise MigrationError(f"template {where}: {exc.message or exc}") from None


def black_mode(start: str | Path | None) -> Any:
    """Return the black mode of the project holding folder ``start``, as black finds it.

    ``black.find_pyproject_toml`` walks up from ``start`` to the project root (the folder with
    ``.git``, ``.hg`` or a pyproject.toml with ``[tool.black]``) and falls back to the
    user-level configuration; options not set there keep black's defaults (line length 88).
    """
    import black

    if start is None:
        return black.Mode()
    # black caches where a project's root and its configuration are; a long-lived process
    # (the Python API, tests) must see a pyproject.toml written since the last call.
    black_files = sys.modules.get("black.files")
    for cached in vars(black_files).values() if black_files else ():
        if callable(getattr(cached, "cache_clear", None)):
            cached.cache_clear()
    found = black.find_pyproject_toml((str(Path(start).resolve()),))
    if found is None:
        return black.Mode()
    try:
        config = black.parse_pyproject_toml(found)
    except (OSError, ValueError) as exc:
        raise MigrationError(f"{found}: cannot read black's settings: {exc}") from None
    try:
        targets = {black.TargetVersion[v.upper()] for v in config.get("target_version", [])}
    except KeyError as exc:
        raise MigrationError(f"{found}: [tool.black] target-version {exc} is unknown") from None
    return black.Mode(
        target_versions=targets,
        line_length=int(config.get("line_length", black.DEFAULT_LINE_LENGTH)),
        string_normalization=not config.get("skip_string_normalization", False),
        magic_trailing_comma=not config.get("skip_magic_trailing_comma", False),
        preview=bool(config.get("preview", False)),
    )


def format_source(source: str, mode: Any = None) -> str:
    """Format with black; a template that renders invalid Python is an error naming it."""
    import black

    try:
        return black.format_str(source, mode=mode or black.Mode())
    except black.InvalidInput as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid Python"
        raise MigrationError(f"the migration templates rendered invalid Python: {first}") from None
