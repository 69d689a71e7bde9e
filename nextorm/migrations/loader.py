"""Find, check and import the numbered migration files of a directory.

A migration file is ``NNNN_name.py`` (any number of digits): a module with ``upgrade(db)``, an
optional ``downgrade(db)``, an optional ``DIALECT`` constant (the database it was rendered for)
and an optional ``FOREIGN_KEYS_OFF = True`` (SQLite rebuilds); a file for several servers lists
them in ``DIALECTS`` and has a part per server (``multiserver.py``).  Discovery reads file names and
contents only; a module is imported, by path and outside ``sys.modules`` (so two projects'
``0001`` never collide), only when the runner is about to run it.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..dialects import PROVIDER_ALIASES
from ..errors import MigrationError, MigrationFileError
from ..records import Record
from .checksum import code_checksum, file_checksum

if TYPE_CHECKING:
    from pathlib import Path

#: The snapshot beside the migration files (``snapshot.py`` reads and writes it).
SNAPSHOT_NAME = ".schema_snapshot.json"
__all__ = ["DISPLAY_BASE", "SNAPSHOT_NAME", "MigrationFile", "discover", "display",
           "file_checksum", "import_migration", "migration_number"]


def migration_number(name: str) -> str | None:
    """The digits of a migration file name ``NNNN_name.py`` (``\\w`` after the ``_``), else
    None: the pattern ``^([0-9]+)_(\\w+)\\.py$``, checked without compiling a regex (the
    no-op ``migrate`` checks hundreds of names and compiles nothing)."""
    if name.endswith("\n"):  # ``$`` matches before a final newline
        name = name[:-1]
    if not name.endswith(".py"):
        return None
    digits, sep, word = name[:-3].partition("_")
    if not (sep and word and digits.isascii() and digits.isdigit()):
        return None
    return digits if word.replace("_", "a").isalnum() else None


class MigrationFile(Record):
    """One migration file on disk: its number, name and checksum.

    A plain class with ``__slots__`` (``discover`` makes one per file on every run); equality,
    hash and repr are a frozen dataclass's.  ``filename`` is the path as a string; ``path``
    the same as a ``Path``, made on first use (the no-op ``migrate`` never needs one).
    """

    __slots__ = ("number", "version", "name", "filename", "checksum", "may_replace", "_path")
    _fields = ("number", "version", "name", "filename", "checksum", "may_replace")

    def __init__(self, number: int, version: str, name: str, path: str | os.PathLike[str],
                 checksum: str, may_replace: bool = True) -> None:
        self.number = number
        self.version = version  # the number as written in the file name, e.g. "0002"
        self.name = name  # the file name, e.g. "0002_add_email_to_user.py"
        self.filename = path if type(path) is str else str(path)
        self._path: Any = None if type(path) is str else path
        self.checksum = checksum
        #: Whether the text has a ``REPLACES =`` line (``replaces.py``): discover reads every
        #: file once for its checksum and notes it, so the squash check need not read them
        #: again.
        self.may_replace = may_replace

    @property
    def path(self) -> Path:
        """The file's path (a ``Path``)."""
        if self._path is None:
            from pathlib import Path

            self._path = Path(self.filename)
        return self._path

    def __repr__(self) -> str:  # the dataclass's: the path as a Path
        return (f"MigrationFile(number={self.number!r}, version={self.version!r}, "
                f"name={self.name!r}, path={self.path!r}, checksum={self.checksum!r}, "
                f"may_replace={self.may_replace!r})")

    @property
    def display_path(self) -> str:
        """The path as a user reads it: relative to the current folder when possible."""
        return display(self.path)

    def source_text(self) -> str:
        """The file's text, as the tracking table keeps it (read again: only when recording)."""
        return _read(self.filename).decode("utf-8", errors="replace")

    def same_code_as(self, source_text: str) -> bool:
        """True if this file runs the same code as ``source_text`` (parses both: when needed)."""
        try:
            mine = code_checksum(_read(self.filename))
        except OSError:
            return False
        return mine is not None and mine == code_checksum(source_text.encode("utf-8"))


#: The folder paths in messages are shown relative to (the CLI sets its project folder).
DISPLAY_BASE: ContextVar[str | os.PathLike[str] | None] = ContextVar("nextorm_display_base",
                                                                     default=None)


def display(path: str | os.PathLike[str]) -> str:
    """Return ``path`` relative to the project (or current) folder when it lies inside it."""
    from pathlib import Path  # only messages and file names shown to the user need it

    absolute = Path(path).absolute()
    try:
        return str(absolute.relative_to(DISPLAY_BASE.get() or Path.cwd()))
    except ValueError:
        return str(absolute)


def discover(directory: str | os.PathLike[str]) -> list[MigrationFile]:
    """Return the migration files of ``directory`` in ascending-number order.

    A missing directory and two files with the same number are errors (the latter usually
    means two branches each added a migration).  Plain ``os`` calls and strings: this runs
    on every command, over every file.
    """
    if not os.path.isdir(directory):
        what = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise MigrationError(
            f"migrations directory {display(directory)!r} {what}: run makemigrations first "
            "or pass --directory"
        )
    found: dict[int, MigrationFile] = {}
    squashed: list[MigrationFile] = []  # a squashed file shares the number of its last
    absolute = os.path.realpath(directory)
    with os.scandir(absolute) as entries:
        candidates = sorted((e.name, digits, e.path) for e in entries
                            if (digits := migration_number(e.name)) is not None
                            and e.is_file())
    for name, digits, path in candidates:
        number = int(digits)
        data = _read(path)
        migration = MigrationFile(number, digits, name, path, file_checksum(data),
                                  b"REPLACES" in data and _declares_replaces(data))
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


def _declares_replaces(data: bytes) -> bool:
    from .replaces import declares_replaces  # only a file that names REPLACES pays for it

    return declares_replaces(data)


def _read(path: str) -> bytes:
    """A file's bytes by plain ``os`` calls: no buffered file object for each of hundreds of
    small files (half the cost of the no-op ``migrate``'s reading).  Reads of 64 KiB: each
    read allocates its whole size first, and 1 MiB a read cost 0.9 ms more over 500 files."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _squashed(found: dict[int, MigrationFile], migration: MigrationFile,
              squashed: list[MigrationFile]) -> bool:
    """Keep two files of one number when one replaces the other (``replaces.py``)."""
    from .replaces import sharing_number

    squash = sharing_number(found[migration.number], migration)
    if squash is None:
        return False
    squashed.append(squash)
    if squash is found[migration.number]:
        found[migration.number] = migration
    return True


def import_migration(migration: MigrationFile, provider: str | None) -> ModuleType:
    """Import a migration file by path and check it can run on ``provider``.

    The file is compiled and run as a module outside ``sys.modules`` (two projects' ``0001``
    never collide), as ``importlib`` would with its spec, minus the bytecode cache: a
    migration runs once, and writing a ``.pyc`` for each of hundreds of files cost 20 times
    the compilation.  Its ``display_path`` is worked out in error messages only.
    """
    module = ModuleType(f"_nextorm_migration_{migration.number}_{migration.checksum[:12]}")
    module.__file__ = migration.filename
    try:
        code = compile(_read(migration.filename), migration.filename, "exec",
                       dont_inherit=True)  # not this module's ``from __future__`` flags
        exec(code, module.__dict__)
    except SyntaxError as exc:
        raise MigrationFileError(
            f"{migration.display_path} line {exc.lineno}: syntax error: {exc.msg}"
        ) from None
    except FileNotFoundError:
        raise MigrationFileError(
            f"{migration.display_path}: file disappeared while migrating") from None
    except (Exception, SystemExit) as exc:  # sys.exit() must not end migrate with exit 0
        line = error_line(exc, migration.path)
        raise MigrationFileError(
            f"{migration.display_path}{line}: importing the migration raised "
            f"{type(exc).__name__}: {first_line(exc)}"
        ) from None
    if hasattr(module, "DIALECTS"):
        from .multiserver import bound_part  # a file for several servers: this server's part

        module = bound_part(module, migration, provider)
    if not callable(getattr(module, "upgrade", None)):
        raise MigrationFileError(
            f"{migration.display_path} has no upgrade(db) function; every migration needs one")
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
    from pathlib import Path

    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = f" line {frame.lineno}"
    return line


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

