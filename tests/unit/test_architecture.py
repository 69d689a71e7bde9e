"""The layering of docs/architecture.md, checked: a lower layer never imports a higher one.

Every module of ``nextorm/`` is read with ``ast`` (nothing is imported) and each import,
at module level or inside a function, is checked against the layer table below.  The
migration runtime never imports the generator (``migrate`` must not pay for DeepDiff, Jinja
or black), except the two documented entry points that hand over to it on demand.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "nextorm"

#: Layers from the bottom; a module may import its own layer and the ones below it.
LAYERS = [
    ("base", ["nextorm.errors", "nextorm.sqlparams", "nextorm.convert", "nextorm.fields",
              "nextorm.types", "nextorm.debug", "nextorm.pool", "nextorm.records"]),
    ("declarations", ["nextorm.attributes", "nextorm.entity", "nextorm.mapping",
                      "nextorm.declarations", "nextorm.inheritance", "nextorm.one_to_one",
                      "nextorm.annotations"]),
    ("schema", ["nextorm.schema"]),
    ("dialects", ["nextorm.dialects"]),
    ("database", ["nextorm.database", "nextorm.connections", "nextorm.db_methods",
                  "nextorm.urls"]),
    ("orm", ["nextorm.orm", "nextorm.session", "nextorm.query"]),
    ("migration runtime", ["nextorm.migrations"]),
    ("migration generator", [f"nextorm.migrations.{m}" for m in (
        "automigrate", "changes", "columns", "comparators", "diff", "generate", "questioner",
        "multirender", "renames", "values", "writer")]),
    ("cli", [f"nextorm.migrations.{m}" for m in ("cli", "cli_context", "cli_subcommands",
                                                  "commands")]),
    ("public API", ["nextorm"]),
]
#: Sibling layers that must not know each other (the migration system never imports the ORM).
APART = {("orm", "migration runtime"), ("orm", "migration generator"), ("orm", "cli"),
         ("migration runtime", "orm"), ("migration generator", "orm"), ("cli", "orm")}
#: Deliberate upward imports, inside a function: the entry points that call the generator.
ALLOWED_LAZY = {
    ("nextorm.migrations.api", "nextorm.migrations.generate"),
    ("nextorm.database", "nextorm.migrations.automigrate"),  # db.migrate(): 0.5.1's auto-migrate
    ("nextorm.migrations.runner", "nextorm.migrations.api"),
    ("nextorm.migrations.generate", "nextorm.__version__"),  # stamped into each file
    ("nextorm.entity", "nextorm.orm"),          # Entity's methods use the ORM runtime
    ("nextorm.entity", "nextorm.session"),
    ("nextorm.entity", "nextorm.query"),
    ("nextorm.attributes", "nextorm.orm"),      # descriptors load relations on access
    ("nextorm.attributes", "nextorm.session"),
    ("nextorm.database", "nextorm.orm"),        # db.select / sessions bound to a database
    ("nextorm.database", "nextorm.mapping"),
    ("nextorm.database", "nextorm.schema"),
    ("nextorm.db_methods", "nextorm.orm"),      # db.save / db.insert / db.delete_instance
}


def layer_of(module: str) -> tuple[int, str]:
    """The deepest matching layer entry wins (the generator inside ``nextorm.migrations``)."""
    best: tuple[int, int, str] | None = None
    for rank, (name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), rank, name)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[1], best[2]


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of nextorm code."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
              for n in ast.walk(f)}
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test) for n in ast.walk(block)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only: no import happens at run time
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            targets = [target]
            if node.module is None:  # from . import x: x may be a module
                targets = [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target == "nextorm" or target.startswith("nextorm."):
                found.append((target, node.lineno, id(node) in nested))
    return found


def violations(root: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        rank, layer = layer_of(module)
        for target, line, lazy in imports(path, root):
            target_rank, target_layer = layer_of(target)
            if lazy and any(module == a and (target == b or target.startswith(b + "."))
                            for a, b in ALLOWED_LAZY):
                continue
            if (layer, target_layer) in APART or target_rank > rank:
                problems.append(f"{path.relative_to(root.parent)}:{line}: {layer} "
                                f"imports {target} ({target_layer})")
    return problems


def test_no_layer_imports_a_higher_one() -> None:
    assert violations() == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The rule can fail: a schema module importing the runtime is reported."""
    fake = tmp_path / "nextorm"
    (fake / "schema").mkdir(parents=True)
    (fake / "schema" / "bad.py").write_text("from ..migrations.runner import MigrationRunner\n")
    assert violations(fake) == [
        "nextorm/schema/bad.py:1: schema imports nextorm.migrations.runner (migration runtime)"]


def test_no_module_asks_which_server_it_is_outside_dialects() -> None:
    """Every server difference is an attribute or method of the dialect."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "dialects" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "provider ==" in line or "dialect.name ==" in line:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert offenders == []
