"""What each CLI command does, and how it reports it (``cli.py`` only wires the options).

Output follows ``docs/cli.md``: progress on stdout (``Applying 0003_x.py ... done (12 ms)``),
one ``error: ...`` line on stderr for a failure, ``warning: ...`` lines on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .cli_context import Context, Failure, say
from .loader import SNAPSHOT_NAME, display


def run_makemigrations(ctx: Context, local: dict[str, Any]) -> None:
    db = ctx.database(local)
    from .generate import destructive_warnings, plan_migration, write_migration

    options: dict[str, Any] = {
        "empty": bool(ctx.option(local, "empty", False)),
        "renames": tuple(ctx.option(local, "renames", ())),
        "table_renames": tuple(ctx.option(local, "table_renames", ())),
        "defaults": tuple(ctx.option(local, "defaults", ())),
        "templates": ctx.path(local, "templates"),
        "interactive": sys.stdin.isatty() and not ctx.option(local, "no_input", False),
    }
    directory, name = ctx.directory(local), ctx.option(local, "name")
    check, dry_run = ctx.option(local, "check", False), ctx.option(local, "dry_run", False)
    if check or dry_run:
        if check:
            options["interactive"] = False
        planned = plan_migration(db, directory, name, **options)
        if planned is None:
            say(ctx, local, "No changes detected.")
            return
        if dry_run:
            click.echo(planned.source, nl=not planned.source.endswith("\n"))
        if check:
            say(ctx, local, f"Changes detected: makemigrations would write {display(planned.path)}",
                fg="yellow")
            raise Failure
        return
    planned = plan_migration(db, directory, name, **options)
    if planned is None:
        say(ctx, local, "No changes detected.")
        return
    write_migration(planned, directory)
    for note in planned.notes:
        say(ctx, local, f"note: {note}")
    say(ctx, local, f"Created {display(planned.path)}", fg="green")
    for line in destructive_warnings(planned):
        if not ctx.quiet(local):
            click.secho(f"warning: {line}", err=True, fg="yellow")


def run_migrate(ctx: Context, local: dict[str, Any], target: str | None) -> None:
    from .runner import MigrationRunner

    db = ctx.database(local)
    printer = StepPrinter(ctx, local)
    runner = MigrationRunner(db, ctx.directory(local), report=printer.report)
    try:
        with ctx.reading(db):
            runner.migrate(
                target,
                fake=bool(ctx.option(local, "fake", False)),
                accept_changed=bool(ctx.option(local, "accept_changed", False)),
                retry=bool(ctx.option(local, "retry", False)),
                allow_out_of_order=bool(ctx.option(local, "allow_out_of_order", False)),
            )
    except BaseException:
        printer.close_line("failed")
        raise
    if not printer.changed:
        say(ctx, local, "No migrations to apply.")
    warn_unmigrated_changes(ctx, local, db)


def warn_unmigrated_changes(ctx: Context, local: dict[str, Any], db: Any) -> None:
    """One warning line when the entities have changes that no migration holds yet."""
    if not (Path(ctx.directory(local)) / SNAPSHOT_NAME).exists():
        return  # migrations written by hand: nothing to compare (and nothing to import)
    from ..errors import SnapshotError
    from .drift import entities_have_unmigrated_changes

    try:
        changed = entities_have_unmigrated_changes(db, ctx.directory(local))
    except SnapshotError as exc:
        click.secho(f"warning: cannot compare the entities with the migrations: {exc}",
                    err=True, fg="yellow")
        return
    if changed:
        click.secho("warning: the entities have changes that no migration holds yet: run "
                    "makemigrations, then migrate", err=True, fg="yellow")


class StepPrinter:
    """Print what migrate does as it happens: ``Applying 0003_x.py ... done (12 ms)``."""

    VERBS = {"applying": "Applying", "unapplying": "Unapplying"}
    COLOURS = {"applied": "green", "unapplied": "yellow", "faked": "cyan", "faked undo": "cyan"}

    def __init__(self, ctx: Context, local: dict[str, Any]) -> None:
        self.ctx, self.local = ctx, local
        self.open_line = False
        self.changed = False

    def report(self, step: Any) -> None:
        ms = f" ({step.seconds * 1000:.0f} ms)" if step.seconds else ""
        if step.action == "database":
            self._say(f"Migrating {step.name}")
        elif step.action in self.VERBS:
            self._say(f"{self.VERBS[step.action]} {step.name} ...", nl=False)
            self.open_line = True
        elif self.open_line:
            self.close_line(click.style("done", fg=self.COLOURS.get(step.action)) + ms)
        else:
            verb = click.style(step.action.capitalize(), fg=self.COLOURS.get(step.action))
            self._say(f"{verb} {step.name}{ms}")
        self.changed = self.changed or step.action in self.COLOURS

    def close_line(self, text: str) -> None:
        """End an ``Applying ...`` line (with ``done`` or ``failed``)."""
        if self.open_line:
            self.open_line = False
            self._say(f" {text}")

    def _say(self, text: str, nl: bool = True) -> None:
        if not self.ctx.quiet(self.local):
            click.echo(text, nl=nl)


def run_showmigrations(ctx: Context, local: dict[str, Any]) -> None:
    from .runner import MigrationRunner, format_statuses

    db = ctx.database(local)
    directory = ctx.directory(local)
    with ctx.reading(db):
        statuses = MigrationRunner(db, directory).showmigrations()
    if not statuses:
        say(ctx, local, f"No migrations in {display(Path(directory))}.")
    colours = {"pending": "yellow", "edited": "red", "missing": "red", "failed": "red"}
    for status, line in zip(statuses, format_statuses(statuses), strict=True):
        say(ctx, local, line, fg=colours.get(status.state))


def run_check(ctx: Context, local: dict[str, Any]) -> None:
    """Compare the database with the applied migrations and the entities with the snapshot."""
    from .drift import check_drift

    db = ctx.database(local)
    directory = ctx.directory(local)
    with ctx.reading(db):
        report = check_drift(db, directory)
    for note in report.notes:
        say(ctx, local, f"note: {note}")
    if report.clean:
        say(ctx, local, "No drift: the database matches the applied migrations, and the "
                        "entities match the migrations.")
        return
    for title, lines in (("database", report.database), ("entities", report.entities)):
        if lines:
            hint = ("differs from what the applied migrations produce" if title == "database"
                    else "have changes no migration holds (run makemigrations)")
            click.secho(f"The {title} {hint}:", fg="red")
            for line in lines:
                click.echo(f"  {line}")
    raise Failure


def run_rebuild_snapshot(ctx: Context, local: dict[str, Any]) -> None:
    """Rebuild the snapshot from a database that has every migration applied."""
    from .rebuild import rebuild_snapshot as rebuild

    db = ctx.database(local)
    with ctx.reading(db):
        rebuilt = rebuild(db, ctx.directory(local))
    if rebuilt.left_out:
        say(ctx, local, f"note: left out {len(rebuilt.left_out)} table(s) the entities do not "
                        f"map: {', '.join(rebuilt.left_out)}")
    say(ctx, local, f"Rebuilt {display(rebuilt.path)} from {db.describe()} "
                    f"({rebuilt.tables} tables, as of {rebuilt.migration})", fg="green")
