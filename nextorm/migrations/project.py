"""The user's project as the CLI sees it: ``[tool.nextorm]`` defaults and the Database.

The CLI is started as ``python -m nextorm.migrations.cli``, as the console script ``nextorm``
or by ``pdm run``; in every case the current folder (and the folder of the nearest
pyproject.toml) is importable, so ``--module myapp.models`` is found.  The module "defines and
binds" the Database; ``generate_mapping()`` is called here when the module did not and the
command compares entities (``migrate`` and ``showmigrations`` only run and list files: they map
the entities only to warn about changes no migration holds, when there is a snapshot).
Every mistake becomes one ``MigrationError`` line naming the module, attribute or file.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from ..errors import MigrationError, NextORMError
from ..records import Record
from .loader import display

if TYPE_CHECKING:
    from pathlib import Path

CONFIG_KEYS = ("module", "db-attr", "directory", "templates", "lock-timeout", "lock-retries",
               "concurrent-indexes", "dialects")
#: Keys that may be numbers or booleans in the file (kept as their text, read by their option).
SCALAR_KEYS = ("lock-timeout", "lock-retries", "concurrent-indexes")


class ProjectConfig(Record):
    """``[tool.nextorm]`` of the nearest pyproject.toml (empty when there is none).

    ``folder`` is the pyproject.toml folder as a string (None: no pyproject.toml); ``root``
    the same as a ``Path``, made on first use (the CLI works with strings: ``pathlib`` is
    not imported by a command that does not need it).
    """

    __slots__ = ("folder", "values", "_root")
    _fields = ("root", "values")

    def __init__(self, root: str | os.PathLike[str] | None = None,
                 values: dict[str, str] | None = None) -> None:
        self.folder = None if root is None else os.fspath(root)
        self._root: Path | None = None
        self.values: dict[str, str] = {} if values is None else values

    @property
    def root(self) -> Path | None:
        if self._root is None and self.folder is not None:
            from pathlib import Path

            self._root = Path(self.folder)
        return self._root

    def get(self, key: str) -> str | None:
        """Return a setting; paths are resolved against the pyproject.toml folder."""
        value = self.values.get(key)
        if value is None or self.folder is None or key not in ("directory", "templates"):
            return value
        if os.path.isabs(value):
            return value
        from pathlib import Path  # a folder in the file: shown as Path joins it

        return str(Path(self.folder) / value)


def find_config(start: str | os.PathLike[str] | None = None) -> ProjectConfig:
    """Read ``[tool.nextorm]`` from the nearest pyproject.toml at or above ``start``.

    Plain ``os.path`` calls (every command starts here): ``realpath`` is what
    ``Path.resolve()`` runs.
    """
    folder = os.path.realpath(os.getcwd() if start is None else start)
    while True:
        path = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(path):
            return ProjectConfig(folder, _read_tool_table(path))
        parent = os.path.dirname(folder)
        if parent == folder:
            return ProjectConfig()
        folder = parent


def _read_tool_table(path: str) -> dict[str, str]:
    import tomllib

    try:
        with open(path, encoding="utf-8") as file:
            data = tomllib.loads(file.read())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MigrationError(f"cannot read {path}: {exc}") from None
    table = data.get("tool", {}).get("nextorm", {})
    if not isinstance(table, dict):
        raise MigrationError(f"{path}: [tool.nextorm] must be a table")
    values = {}
    for key, value in table.items():
        normal = key.replace("_", "-")
        if normal not in CONFIG_KEYS:
            known = ", ".join(CONFIG_KEYS)
            raise MigrationError(f"{path}: unknown key {key!r} in [tool.nextorm] (known: {known})")
        if normal in SCALAR_KEYS and isinstance(value, bool | int | float):
            value = str(value).lower()
        if normal == "dialects" and isinstance(value, list) and all(
                isinstance(item, str) for item in value):
            value = ",".join(value)  # the servers each generated file has a part for
        if not isinstance(value, str):
            kind = "a list of strings" if normal == "dialects" else "a string"
            raise MigrationError(f"{path}: [tool.nextorm] {key} must be {kind}")
        values[normal] = value
    return values


def make_importable(*folders: str | os.PathLike[str] | None) -> None:
    """Put the folders (where the user is, the project root) first on ``sys.path``."""
    for folder in folders:
        if folder is not None and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


def load_database(module_name: str, attr: str = "db",
                  folder: str | os.PathLike[str] | None = None, *,
                  mapped: bool = True, bind: tuple[str, tuple[Any, ...]] | None = None) -> Any:
    """Import ``module_name`` (looked for in ``folder``), return its bound Database.

    ``mapped``: map the entities if the module did not (what compares them with the snapshot
    needs it; running files does not).  ``bind``: ``(provider, args)`` from ``--database-url``
    or ``DATABASE_URL``, used by the module's own ``bind()`` calls instead of theirs.
    """
    from ..database import Database
    from .database_url import overriding, rebind

    with overriding(bind):
        module = _import_user_module(module_name, folder or os.getcwd())
    if not hasattr(module, attr):
        found = [n for n, v in vars(module).items() if isinstance(v, Database)]
        hint = f"; it has {', '.join(found)}" if found else ""
        raise MigrationError(
            f"module {module_name!r} has no attribute {attr!r}{hint} (use --db-attr NAME)"
        )
    db = getattr(module, attr)
    if not isinstance(db, Database):
        raise MigrationError(
            f"{module_name}.{attr} is a {type(db).__name__}, not a nextorm Database "
            "(use --db-attr NAME)"
        )
    if bind is not None:
        rebind(db, bind)
    if db.provider is None:
        raise MigrationError(
            f"{module_name}.{attr} is not bound: call {attr}.bind(provider, ...) in "
            f"{module_name}, or give --database-url / DATABASE_URL"
        )
    if mapped:
        map_entities(db, module_name)
    return db


def map_entities(db: Any, module_name: str) -> None:
    """Map the entities if the module did not; a mapping error names the module."""
    if not db.is_mapped:
        try:
            db.generate_mapping()
        except NextORMError as exc:
            raise MigrationError(f"{module_name}: {exc}") from None


def _import_user_module(module_name: str, folder: str | os.PathLike[str]) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise MigrationError(
                f"cannot import module {module_name!r} (--module): no module named "
                f"{exc.name!r} in {folder}; run from your project folder"
            ) from None
        raise MigrationError(
            f"importing {module_name}{_where(exc)} failed: {type(exc).__name__}: {exc}"
        ) from None
    except NextORMError as exc:
        raise MigrationError(f"importing {module_name}{_where(exc)}: {exc}") from None
    except SyntaxError as exc:
        raise MigrationError(
            f"importing {module_name}: syntax error in {exc.filename} line {exc.lineno}: "
            f"{exc.msg}"
        ) from None
    except (Exception, SystemExit) as exc:  # sys.exit() at import must not look like success
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise MigrationError(
            f"importing {module_name}{_where(exc)} failed: {type(exc).__name__}: {message}"
        ) from None


def _where(exc: BaseException) -> str:
    """Return `` (file line N)`` for the last traceback frame outside NextORM and the stdlib."""
    import traceback  # only a module that fails to import pays for it
    from pathlib import Path

    package = str(Path(__file__).resolve().parents[1])
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(package) and not f.filename.startswith("<frozen")]
    if not frames:
        return ""
    frame = frames[-1]
    return f" ({display(Path(frame.filename))} line {frame.lineno})"
