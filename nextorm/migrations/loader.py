"""Find, check and import the numbered migration files of a directory.

A migration file is ``NNNN_name.py`` (any number of digits): a module with ``upgrade(db)``, an
optional ``downgrade(db)``, an optional ``DIALECT`` constant (the database it was rendered for)
and an optional ``FOREIGN_KEYS_OFF = True`` (SQLite rebuilds); a file for several servers lists
them in ``DIALECTS`` and has a part per server (``multiserver.py``).  Discovery reads file names and
contents only; a module is imported, by path and outside ``sys.modules`` (so two projects'
``0001`` never collide), only when the runner is about to run it.
"""

from __future__ import annotations

import importlib.util
import os
import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..dialects import PROVIDER_ALIASES
from ..errors import MigrationError, MigrationFileError
from .checksum import code_checksum, file_checksum
from .replaces import declares_replaces, sharing_number

#: The snapshot beside the migration files (``snapshot.py`` reads and writes it).
SNAPSHOT_NAME = ".schema_snapshot.json"
FILE_PATTERN = re.compile(r"^([0-9]+)_(\w+)\.py$")


@dataclass(frozen=True)
class MigrationFile:
    """One migration file on disk: its number, name and checksum."""

    number: int
    version: str  # the number as written in the file name, e.g. "0002"
    name: str  # the file name, e.g. "0002_add_email_to_user.py"
    path: Path
    checksum: str
    #: Whether the text has a ``REPLACES =`` line (``replaces.py``): discover reads every file
    #: once for its checksum and notes it, so the squash check need not read them again.
    may_replace: bool = True

    @property
    def display_path(self) -> str:
        """The path as a user reads it: relative to the current folder when possible."""
        return display(self.path)

    def source_text(self) -> str:
        """The file's text, as the tracking table keeps it (read again: only when recording)."""
        return self.path.read_bytes().decode("utf-8", errors="replace")

    def same_code_as(self, source_text: str) -> bool:
        """True if this file runs the same code as ``source_text`` (parses both: when needed)."""
        try:
            mine = code_checksum(self.path.read_bytes())
        except OSError:
            return False
        return mine is not None and mine == code_checksum(source_text.encode("utf-8"))


#: The folder paths in messages are shown relative to (the CLI sets its project folder).
DISPLAY_BASE: ContextVar[Path | None] = ContextVar("nextorm_display_base", default=None)


def display(path: Path) -> str:
    """Return ``path`` relative to the project (or current) folder when it lies inside it."""
    absolute = Path(path).absolute()
    try:
        return str(absolute.relative_to(DISPLAY_BASE.get() or Path.cwd()))
    except ValueError:
        return str(absolute)


def discover(directory: str | os.PathLike[str]) -> list[MigrationFile]:
    """Return the migration files of ``directory`` in ascending-number order.

    A missing directory and two files with the same number are errors (the latter usually
    means two branches each added a migration).
    """
    root = Path(directory)
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        raise MigrationError(
            f"migrations directory {display(root)!r} {what}: run makemigrations first "
            "or pass --directory"
        )
    found: dict[int, MigrationFile] = {}
    squashed: list[MigrationFile] = []  # a squashed file shares the number of its last
    absolute = root.resolve()
    with os.scandir(absolute) as entries:
        candidates = sorted((e.name, e.path) for e in entries
                            if FILE_PATTERN.match(e.name) and e.is_file())
    for name, path in candidates:
        match = FILE_PATTERN.match(name)
        assert match is not None
        number = int(match.group(1))
        data = _read(path)
        migration = MigrationFile(
            number=number,
            version=match.group(1),
            name=name,
            path=Path(path),
            checksum=file_checksum(data),
            may_replace=declares_replaces(data),
        )
        if number in found and _squashed(found, migration, squashed):
            continue
        if number in found:
            raise MigrationError(
                f"two migrations have the number {number}: {found[number].display_path} and "
                f"{migration.display_path}; renumber one of them (and check that they do not "
                "conflict)"
            )
        found[number] = migration
    return sorted([*found.values(), *squashed], key=lambda f: f.number)


def _read(path: str) -> bytes:
    """A file's bytes by plain ``os`` calls: no buffered file object for each of hundreds of
    small files (half the cost of the no-op ``migrate``'s reading)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _squashed(found: dict[int, MigrationFile], migration: MigrationFile,
              squashed: list[MigrationFile]) -> bool:
    """Keep two files of one number when one replaces the other (``replaces.py``)."""
    squash = sharing_number(found[migration.number], migration)
    if squash is None:
        return False
    squashed.append(squash)
    if squash is found[migration.number]:
        found[migration.number] = migration
    return True


def import_migration(migration: MigrationFile, provider: str | None) -> ModuleType:
    """Import a migration file by path and check it can run on ``provider``."""
    where = migration.display_path
    module_name = f"_nextorm_migration_{migration.number}_{migration.checksum[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, migration.path)
    if spec is None or spec.loader is None:
        raise MigrationFileError(f"{where}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise MigrationFileError(
            f"{where} line {exc.lineno}: syntax error: {exc.msg}"
        ) from None
    except FileNotFoundError:
        raise MigrationFileError(f"{where}: file disappeared while migrating") from None
    except (Exception, SystemExit) as exc:  # sys.exit() must not end migrate with exit 0
        line = error_line(exc, migration.path)
        raise MigrationFileError(
            f"{where}{line}: importing the migration raised "
            f"{type(exc).__name__}: {first_line(exc)}"
        ) from None
    if hasattr(module, "DIALECTS"):
        from .multiserver import bound_part  # a file for several servers: this server's part

        module = bound_part(module, migration, provider)
    if not callable(getattr(module, "upgrade", None)):
        raise MigrationFileError(f"{where} has no upgrade(db) function; every migration needs one")
    check_dialect(module, migration, provider)
    return module


def check_dialect(module: ModuleType, migration: MigrationFile, provider: str | None) -> None:
    """Refuse a file rendered for another database (a hand-written file has no DIALECT)."""
    declared = getattr(module, "DIALECT", None)
    if declared is None or provider is None:
        return
    wanted = PROVIDER_ALIASES.get(str(declared).lower())
    if wanted is None:
        raise MigrationFileError(
            f"{migration.display_path}: unknown DIALECT {declared!r}; "
            "use 'sqlite', 'postgres' or 'mysql'"
        )
    if wanted != provider:
        raise MigrationFileError(
            f"{migration.display_path} was rendered for {wanted} but the database is "
            f"{provider}: to run one folder on both, set dialects = [\"{wanted}\", "
            f"\"{provider}\"] under [tool.nextorm] (a part per server in each file; "
            "docs/cli.md, One folder for several servers), or keep one migrations directory "
            "per database kind (--directory)"
        )


def error_line(exc: BaseException, path: Path) -> str:
    """Return ``" line N"`` for the deepest traceback frame inside ``path``, else ``""``."""
    line = ""
    import traceback  # only a failing migration pays for it

    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = f" line {frame.lineno}"
    return line


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
