"""Ask the user what the diff cannot know: was it a rename, what value do existing rows get?

The diff never guesses on something that would lose data.  It asks a questioner, injected so
the same rules run three ways: ``InteractiveQuestioner`` asks on the terminal, the
non-interactive ``Questioner`` answers from hints (``--rename user.mail=email``,
``--rename-table post=article``, ``--default post.author_id=1``) and otherwise stops with an
error that names the hint to pass, and ``ScriptedQuestioner`` answers from a dict (tests).
Every answer a terminal can give has a hint, so a CI run can say everything a person can.

A value for existing rows, typed or given with ``--default``, is checked against the column's
type (``values.coerce``) before it goes into a file: ``abc`` for an int is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import MigrationError
from .values import coerce, type_words

if TYPE_CHECKING:
    from ..schema.operations import CallDefault

#: ``defaults=`` of the Python API: ``{"post.author_id": 1}`` or ``["post.author_id=1"]``.
Defaults = Mapping[str, Any] | Iterable[str]


def parse_column_renames(renames: Iterable[str]) -> dict[tuple[str, str], str]:
    """Parse ``["user.mail=email"]`` into ``{("user", "mail"): "email"}``."""
    parsed: dict[tuple[str, str], str] = {}
    for hint in renames:
        left, sep, new = hint.partition("=")
        table, dot, old = left.strip().rpartition(".")
        if not sep or not dot or not table or not old or not new.strip():
            raise MigrationError(f"bad --rename {hint!r}: write it as TABLE.OLD=NEW (user.mail=email)")
        parsed[(table, old)] = new.strip()
    return parsed


def parse_table_renames(renames: Iterable[str]) -> dict[str, str]:
    """Parse ``["author=writer"]`` into ``{"author": "writer"}``."""
    parsed: dict[str, str] = {}
    for hint in renames:
        old, sep, new = hint.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise MigrationError(f"bad --rename-table {hint!r}: write it as OLD=NEW (author=writer)")
        parsed[old.strip()] = new.strip()
    return parsed


def parse_defaults(defaults: Defaults) -> dict[tuple[str, str], Any]:
    """Parse ``["post.views=0"]`` or ``{"post.views": 0}`` into ``{("post", "views"): ...}``.

    Values stay as given (text from the command line, Python values from the API); they are
    checked against the column's type once the column is known (``Questioner.check``).
    """
    items: Iterable[tuple[str, Any]]
    if isinstance(defaults, Mapping):
        items = defaults.items()
    else:
        items = []
        for hint in defaults:
            key, sep, value = hint.partition("=")
            if not sep:
                raise MigrationError(
                    f"bad --default {hint!r}: write it as TABLE.COLUMN=VALUE (post.views=0)")
            items.append((key, value))
    parsed: dict[tuple[str, str], Any] = {}
    for key, value in items:
        table, dot, column = str(key).strip().rpartition(".")
        if not dot or not table or not column:
            raise MigrationError(
                f"bad --default {key!r}: name the column as TABLE.COLUMN (post.views=0)")
        parsed[(table, column)] = value
    return parsed


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


class Questioner:
    """Non-interactive: answer from hints, refuse to guess."""

    def __init__(self, renames: Iterable[str] = (), table_renames: Iterable[str] = (),
                 defaults: Defaults = ()) -> None:
        self.column_hints = parse_column_renames(renames)
        self.table_hints = parse_table_renames(table_renames)
        self.default_hints = parse_defaults(defaults)

    # -- hints -------------------------------------------------------------------------------

    def check(self, tables: dict[str, Any]) -> None:
        """Refuse a hint that names what the entities do not have, or a value of a wrong type.

        Checked before anything is compared, so a typo is an error even when the hint would
        not have been needed.
        """
        for (table, old), name in self.column_hints.items():
            if name not in tables.get(table, {}).get("columns", {}):
                raise MigrationError(
                    f"--rename {table}.{old}={name}: the entities have no column {table}.{name}")
        for old, name in self.table_hints.items():
            if name not in tables:
                raise MigrationError(
                    f"--rename-table {old}={name}: the entities have no table {name!r}")
        for (table, column), raw in list(self.default_hints.items()):
            col = tables.get(table, {}).get("columns", {}).get(column)
            if col is None:
                raise MigrationError(
                    f"--default {table}.{column}={_shown(raw)}: the entities have no column "
                    f"{table}.{column}")
            try:
                self.default_hints[(table, column)] = coerce(raw, col)
            except ValueError as exc:
                raise MigrationError(f"--default {table}.{column}={_shown(raw)}: {exc}") from None

    def given_default(self, table: str, column: str) -> tuple[bool, Any]:
        """Return ``(True, value)`` if ``--default`` gave ``table.column`` a value."""
        key = (table, column)
        return (key in self.default_hints, self.default_hints.get(key))

    # -- questions ---------------------------------------------------------------------------

    def ask_rename_table(self, old: str, new: str) -> bool:
        """Return True if table ``old`` was renamed to ``new``."""
        if self.table_hints.get(old) == new:
            return True
        raise MigrationError(
            f"table {old!r} disappeared and {new!r} appeared with columns of the same "
            f"definitions: pass "
            f"--rename-table {old}={new} (or set _renamed_from_ = {old!r} on the entity) if it "
            "was renamed, or make the drop and the create in two separate migrations"
        )

    def ask_rename_column(self, table: str, old: str, new: str) -> bool:
        """Return True if column ``table.old`` was renamed to ``new``."""
        if self.column_hints.get((table, old)) == new:
            return True
        raise MigrationError(
            f"column {table}.{old} disappeared and {table}.{new} appeared with the same "
            f"definition: pass --rename {table}.{old}={new} if it was renamed, or make the drop "
            "and the add in two separate migrations"
        )

    def ask_backfill(self, table: str, column: str, col: dict[str, Any], why: str) -> Any:
        """Return the value existing rows get for a NOT NULL ``table.column``."""
        raise MigrationError(
            f"{table}.{column} is NOT NULL and {why}, but NextORM cannot choose a value for the "
            f"existing rows: pass --default {table}.{column}=VALUE ({type_words(col)}), declare "
            f"one, e.g. Req[{col['type']}] = Req(default=...), or run makemigrations in a "
            "terminal to be asked"
        )

    def ask_callable_backfill(self, table: str, column: str, col: dict[str, Any], why: str,
                              call: CallDefault) -> Any:
        """Return what existing rows get when the declared default is a callable.

        The rule: one value, computed by calling it once when the migration runs (``call``),
        unless a one-off value is given (``--default``, or typed on a terminal).
        """
        if call.importable:
            return call
        raise MigrationError(
            f"{table}.{column} is NOT NULL and {why}; its default {call.path} cannot be called "
            f"from a migration file (a lambda or a local function): make it a module-level "
            f"function, or pass --default {table}.{column}=VALUE ({type_words(col)})"
        )


class ScriptedQuestioner(Questioner):
    """Answer from a dict: ``{"rename user.mail": True, "backfill user.age": 0}``."""

    def __init__(self, answers: dict[str, Any], **hints: Any) -> None:
        super().__init__(**hints)
        self.answers = answers

    def ask_rename_table(self, old: str, new: str) -> bool:
        if f"rename {old}" in self.answers:
            return bool(self.answers[f"rename {old}"])
        return super().ask_rename_table(old, new)

    def ask_rename_column(self, table: str, old: str, new: str) -> bool:
        if f"rename {table}.{old}" in self.answers:
            return bool(self.answers[f"rename {table}.{old}"])
        return super().ask_rename_column(table, old, new)

    def ask_backfill(self, table: str, column: str, col: dict[str, Any], why: str) -> Any:
        if f"backfill {table}.{column}" in self.answers:
            return coerce(self.answers[f"backfill {table}.{column}"], col)
        return super().ask_backfill(table, column, col, why)

    def ask_callable_backfill(self, table: str, column: str, col: dict[str, Any], why: str,
                              call: CallDefault) -> Any:
        if f"backfill {table}.{column}" in self.answers:
            return coerce(self.answers[f"backfill {table}.{column}"], col)
        return super().ask_callable_backfill(table, column, col, why, call)


class InteractiveQuestioner(Questioner):
    """Ask on the terminal (hints still answer first)."""

    def ask_rename_table(self, old: str, new: str) -> bool:
        import click

        if self.table_hints.get(old) == new:
            return True
        return click.confirm(f"Did you rename table {old} to {new}?", default=False)

    def ask_rename_column(self, table: str, old: str, new: str) -> bool:
        import click

        if self.column_hints.get((table, old)) == new:
            return True
        return click.confirm(f"Did you rename {table}.{old} to {table}.{new}?", default=False)

    def ask_backfill(self, table: str, column: str, col: dict[str, Any], why: str) -> Any:
        question = (f"{table}.{column} is NOT NULL and {why}. Value for the existing rows "
                    f"({type_words(col)})")
        return self._ask_value(question, col)

    def ask_callable_backfill(self, table: str, column: str, col: dict[str, Any], why: str,
                              call: CallDefault) -> Any:
        if not call.importable:
            return self.ask_backfill(table, column, col, why)
        question = (f"{table}.{column} is NOT NULL and {why}. Existing rows get one value of "
                    f"{call.path}(), computed when the migration runs; press Enter to accept, "
                    f"or type a one-off value ({type_words(col)})")
        return self._ask_value(question, col, accept=call)

    def _ask_value(self, question: str, col: dict[str, Any], accept: Any = None) -> Any:
        """Ask until the answer fits the column's type (``abc`` for an int is asked again)."""
        import click

        while True:
            text = click.prompt(question, default="" if accept is not None else None,
                                show_default=False)
            if accept is not None and text == "":
                return accept
            try:
                return coerce(text, col)
            except ValueError as exc:
                click.echo(f"{exc}; try again.", err=True)
