"""Ask the user what the diff cannot know: was it a rename, what value do existing rows get?

The diff never guesses on something that would lose data.  It asks a questioner, injected so
the same rules run three ways: ``InteractiveQuestioner`` asks on the terminal, the
non-interactive ``Questioner`` answers from hints (``--rename user.mail=email``) and otherwise
stops with an error that says what to pass, and ``ScriptedQuestioner`` answers from a dict (tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..errors import MigrationError


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


class Questioner:
    """Non-interactive: answer from hints, refuse to guess."""

    def __init__(self, renames: Iterable[str] = (), table_renames: Iterable[str] = ()) -> None:
        self.column_hints = parse_column_renames(renames)
        self.table_hints = parse_table_renames(table_renames)

    def ask_rename_table(self, old: str, new: str) -> bool:
        """Return True if table ``old`` was renamed to ``new``."""
        if self.table_hints.get(old) == new:
            return True
        raise MigrationError(
            f"table {old!r} disappeared and {new!r} appeared with the same columns: pass "
            f"--rename-table {old}={new} if it was renamed, or make the drop and the create "
            "in two separate migrations"
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
            f"existing rows: declare one, e.g. Req[{col['type']}] = Req(default=...), or run "
            "makemigrations in a terminal to be asked"
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
            return self.answers[f"backfill {table}.{column}"]
        return super().ask_backfill(table, column, col, why)


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
        import click

        text = click.prompt(
            f"{table}.{column} is NOT NULL and {why}. Value for the existing rows "
            "(a JSON value, or text)"
        )
        return parse_answer(text, col)


def parse_answer(text: str, col: dict[str, Any]) -> Any:
    """Turn a typed answer into a value: JSON when it parses (and the column is not text)."""
    if col["type"] == "str":
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
