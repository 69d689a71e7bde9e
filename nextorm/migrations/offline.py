"""Offline SQL: the whole script a DBA would run, and the plan ``migrate --plan`` lists.

``sqlmigrate FROM..TO`` and ``migrate --sql`` print, for each migration in order, what
``migrate`` itself would send: the statements its function passes to the database (collected
by ``sqlcollect.py``, never run), wrapped the way the executor wraps them on that server
(``BEGIN`` ... ``COMMIT`` where DDL is transactional, with the SQLite foreign-key switch for
table rebuilds; on MariaDB the row written first as ``running`` and its progress after each
statement), and the tracking row's own statements, which come from ``recorder.py`` (the only
module that knows that table's SQL).  The row's ``source_text`` is left NULL to keep the
script readable: the next ``migrate`` stores it, as for rows of NextORM 0.1.  Parameters are written inline as literals, so the
script runs as it is in ``psql``, ``sqlite3`` or ``mariadb``.

The server comes from ``--dialect`` (nothing is imported or connected) or from the module's
``bind`` call, imported ``without_connecting`` (a server binding then connects only at its
first statement, which a script never sends); which migrations are applied from the tracking
table when connected (``migrate --sql``), otherwise none (``--from`` says otherwise).
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..database import CONNECT_AT_BIND
from ..dialects import get_dialect
from ..errors import MigrationError, UnknownTargetError
from ..sqlparams import to_format_style
from .executor import DOWNGRADE, UPGRADE, one_line
from .loader import MigrationFile
from .recorder import APPLIED, REVERTING, RUNNING, MigrationRecorder
from .sqlcollect import Collected, CollectingDatabase, collect, is_read

_SENTINEL = "\x00"


class OfflineDatabase:
    """The server a script is written for, known from ``--dialect`` alone: no connection."""

    sqlite_filename = None

    def __init__(self, provider: str) -> None:
        self.dialect = get_dialect(provider)
        self.provider = self.dialect.name

    def describe(self) -> str:
        return f"{self.provider} (offline: --dialect, not connected)"


@contextmanager
def without_connecting() -> Iterator[None]:
    """While the block runs, ``bind()`` to a server names it without connecting: the first
    statement connects.  An offline command imports the user's module inside it, so a module
    bound to an unreachable (or production) server still tells which SQL to write."""
    token = CONNECT_AT_BIND.set(False)
    try:
        yield
    finally:
        CONNECT_AT_BIND.reset(token)


@dataclass(frozen=True)
class Move:
    """One migration to run in one direction."""

    file: MigrationFile
    direction: str


def inline(sql: str, params: list[Any], dialect: Any) -> str:
    """Write ``sql`` with its ``?`` parameters as literals of ``dialect`` (placeholders in
    quoted text and comments are left alone, as the driver would)."""
    if not params:
        return sql
    marked = to_format_style(sql.replace("%", _SENTINEL), dialect.backslash_escapes)
    pieces = marked.split("%s")
    if len(pieces) != len(params) + 1:
        raise MigrationError(f"a statement has {len(pieces) - 1} placeholders but "
                             f"{len(params)} parameters: {one_line(sql)}")
    out = [pieces[0]]
    for value, piece in zip(params, pieces[1:], strict=True):
        out += [literal(value, dialect), piece]
    return "".join(out).replace(_SENTINEL, "%")


def literal(value: Any, dialect: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return str(dialect.bytes_literal(bytes(value).hex()))
    if isinstance(value, dt.datetime):
        return str(dialect.string_literal(value.isoformat(sep=" ")))
    if isinstance(value, dt.date | dt.time | uuid.UUID | decimal.Decimal):
        return str(dialect.string_literal(str(value)))
    return str(dialect.literal(value))


def parse_range(text: str, files: list[MigrationFile]) -> tuple[int, int]:
    """``2..4``, ``0002..`` or ``..4`` (both ends included) as a pair of file numbers."""
    from .targets import target_number

    low, _, high = text.partition("..")
    numbers = [f.number for f in files]
    if not numbers:
        raise UnknownTargetError(f"no migration files for the range {text!r}")
    first = target_number(low, files, {}) if low.strip() else numbers[0]
    last = target_number(high, files, {}) if high.strip() else numbers[-1]
    assert first is not None and last is not None
    if first > last or first == 0:
        raise UnknownTargetError(f"range {text!r} is empty: write FROM..TO with FROM <= TO")
    return first, last


class ScriptWriter:
    """Build the script of a list of moves for one server (see the module docstring)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.dialect = db.dialect
        self.recorder = MigrationRecorder(db)
        self.lines: list[str] = []

    def script(self, moves: list[Move], title: str) -> str:
        self.lines = [f"-- NextORM migration script for {self.db.provider}: {title}",
                      "-- Review it, then run it as it is; 'showmigrations' reads the rows "
                      "it writes."]
        if any(m.direction == UPGRADE for m in moves):
            self._emit(self.recorder.create_table_sql(), [])
        for move in moves:
            self._migration(move)
        if not moves:
            self.lines.append("-- No migrations to apply.")
        return "\n".join(self.lines) + "\n"

    def _emit(self, sql: str, params: list[Any]) -> None:
        text = inline(sql.strip().rstrip(";"), params, self.dialect) + ";"
        self.lines.append(text)

    def _side(self, enter: bool, module: Any) -> list[tuple[str, list[Any]]]:
        """The statements the dialect wraps a table-rebuilding migration in (SQLite)."""
        if not getattr(module, "FOREIGN_KEYS_OFF", False):
            return []
        collector = CollectingDatabase(self.db)
        manager = self.dialect.foreign_keys_off(collector)
        manager.__enter__()
        before = list(collector.calls)
        manager.__exit__(None, None, None)
        return before if enter else collector.calls[len(before):]

    def _migration(self, move: Move) -> None:
        collected = collect(self.db, move.file, move.direction)
        module, version, upgrade = collected.module, move.file.version, move.direction == UPGRADE
        atomic = self.dialect.transactional_ddl and getattr(module, "ATOMIC", True) is not False
        self.lines += ["", f"-- {move.file.name} ({move.direction})"]
        for sql, params in self._side(True, module):
            self._emit(sql, params)
        if atomic:
            self._emit(self.dialect.begin_migration_sql, [])
        elif upgrade:
            self._emit(*self.recorder.record_applied_sql(
                version, move.file.name, move.file.checksum, status=RUNNING))
        else:
            self._emit(*self.recorder.set_status_sql(version, REVERTING))
        self._body(collected, version, progress=not atomic)
        if getattr(module, "FOREIGN_KEYS_OFF", False):
            collector = CollectingDatabase(self.db)
            self.dialect.foreign_key_violations(collector)
            for sql, _ in collector.calls:
                self.lines.append(f"-- check before COMMIT (must return no row): {sql};")
        if not upgrade:
            self._emit(*self.recorder.forget_sql(version))
        elif atomic:
            self._emit(*self.recorder.record_applied_sql(
                version, move.file.name, move.file.checksum, status=APPLIED))
        else:
            self._emit(*self.recorder.mark_applied_sql(version))
        if atomic:
            self._emit("COMMIT", [])
        for sql, params in self._side(False, module):
            self._emit(sql, params)

    def _body(self, collected: Collected, version: str, *, progress: bool) -> None:
        done = 0
        for sql, params in collected.calls:
            if is_read(sql):
                text = inline(sql.strip().rstrip(";"), params, self.dialect)
                self.lines.append("-- the migration reads (its result may decide what "
                                  "follows; shown: no rows):")
                self.lines += [f"--   {line}" for line in text.splitlines()]
                continue
            self._emit(sql, params)
            if progress:
                done += 1
                self._emit(*self.recorder.set_progress_sql(version, done))


def plan_lines(db: Any, moves: list[Move]) -> list[str]:
    """``migrate --plan``'s output: each move with its steps (``describe_steps``)."""
    if not moves:
        return ["No migrations to apply."]
    lines = [f"Plan for {db.describe()}:"]
    for move in moves:
        lines.append(f"{'Apply' if move.direction == UPGRADE else 'Undo'} {move.file.name}")
        lines += [f"    {line}" for line in describe_steps(db, move.file, move.direction)]
    return lines


def describe_steps(db: Any, file: MigrationFile, direction: str) -> list[str]:
    """One line per step of ``direction``: a generated file's step comments, otherwise its
    statements shortened to one line each."""
    lines = _step_comments(file, direction, db.provider)
    if lines:
        return lines
    return [one_line(sql, 100) for sql, _ in collect(db, file, direction).calls
            if not is_read(sql)]


def _step_comments(file: MigrationFile, direction: str, provider: str | None) -> list[str]:
    """The first comment line of each block of ``direction`` (how generated files read; in a
    multi-server file, of the bound server's part)."""
    from .multiserver import part_name

    name = part_name(file.path, direction, provider)
    try:
        source = file.path.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return []
    function = next((n for n in tree.body if isinstance(n, ast.FunctionDef)
                     and n.name == name), None)
    if function is None or function.end_lineno is None:
        return []
    body = source.splitlines()[function.lineno:function.end_lineno]
    found, previous_blank = [], True
    for line in body:
        text = line.strip()
        if text.startswith("#") and previous_blank:
            found.append(text.lstrip("#").strip())
        previous_blank = not text
    return found


def moves_for(apply: list[MigrationFile], undo: list[MigrationFile]) -> list[Move]:
    """Undo first (newest first), then apply (oldest first), as ``migrate`` does."""
    return [Move(f, DOWNGRADE) for f in undo] + [Move(f, UPGRADE) for f in apply]
