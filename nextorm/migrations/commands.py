"""What each CLI command does, and how it reports it (``cli.py`` only wires the options).

Output follows ``docs/cli.md``: progress on stdout (``Applying 0003_x.py ... done (12 ms)``),
one ``error: ...`` line on stderr for a failure, ``warning: ...`` lines on stderr.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import NextORMError
from .cli_context import Context, Failure, say
from .loader import SNAPSHOT_NAME, display

if TYPE_CHECKING:
    from pathlib import Path


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
        "concurrent_indexes": str(ctx.option(local, "concurrent_indexes", "")).lower()
        in ("true", "1", "yes"),
        "dialects": ctx.option(local, "dialects", ()),
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
    lint_written(ctx, local, db, planned.path, planned.snapshot)


def run_migrate(ctx: Context, local: dict[str, Any], target: str | None) -> None:
    from .runner import MigrationRunner

    db = ctx.database(local, mapped=False)
    printer = StepPrinter(ctx, local)
    runner = MigrationRunner(db, ctx.directory(local), report=printer.report,
                             lock_timeout=ctx.option(local, "lock_timeout"),
                             lock_retries=ctx.option(local, "lock_retries"))
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
    if not os.path.exists(os.path.join(ctx.directory(local), SNAPSHOT_NAME)):
        return  # migrations written by hand: nothing to compare (and nothing to import)
    from ..errors import MigrationError, SnapshotError
    from .drift import entities_have_unmigrated_changes
    from .project import map_entities

    try:
        map_entities(db, ctx.option(local, "module"))  # migrate itself never needs the mapping
        changed = entities_have_unmigrated_changes(db, ctx.directory(local))
    except (SnapshotError, MigrationError) as exc:
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


#: ``showmigrations --pending-exit-code``: some migration is not applied (docs/cli.md).
EXIT_PENDING = 3
#: The version of ``showmigrations --format json``'s shape; a change to it is a new number.
STATUS_JSON_FORMAT = 1


def run_showmigrations(ctx: Context, local: dict[str, Any]) -> None:
    from .runner import MigrationRunner, format_statuses

    db = ctx.database(local, mapped=False)
    directory = ctx.directory(local)
    with ctx.reading(db):
        statuses = MigrationRunner(db, directory).showmigrations()
    if local.get("output_format") == "json":
        click.echo(statuses_json(db, statuses))
    else:
        if not statuses:
            say(ctx, local, f"No migrations in {display(directory)}.")
        colours = {"applied": "green", "pending": "yellow", "edited": "red", "missing": "red",
                   "failed": "red", "revert-failed": "red", "running": "yellow",
                   "reverting": "yellow"}
        if not ctx.quiet(local):  # (once, not per line: hundreds of them)
            for status, line in zip(statuses, format_statuses(statuses), strict=True):
                click.secho(line, fg=colours.get(status.state))
    if local.get("pending_exit_code") and any(not status.applied for status in statuses):
        raise click.exceptions.Exit(EXIT_PENDING)


def statuses_json(db: Any, statuses: list[Any]) -> str:
    """The stable JSON of ``showmigrations --format json`` (its shape is in docs/cli.md)."""
    import json

    migrations = [{"name": s.name, "version": s.version, "applied": s.applied,
                   "applied_at": s.applied_at or None, "state": s.state} for s in statuses]
    return json.dumps({"format": STATUS_JSON_FORMAT, "database": db.describe(),
                       "migrations": migrations,
                       "pending": sum(not s.applied for s in statuses)}, indent=2)


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


# -- offline SQL and the plan ------------------------------------------------------------------


def run_sqlmigrate(ctx: Context, local: dict[str, Any], version: str, backwards: bool) -> None:
    """One VERSION: its statements. A range FROM..TO: the whole script, tracking rows too."""
    from .offline import ScriptWriter, moves_for, parse_range
    from .runner import MigrationRunner
    from .targets import range_files

    db = ctx.target(local)
    runner = MigrationRunner(db, ctx.directory(local))
    if ".." not in version:
        for statement in runner.sqlmigrate(version, backwards=backwards):
            click.echo(statement)
        return
    files = runner.files()
    chosen = range_files(files, *parse_range(version, files))  # a squash, or the old files
    moves = moves_for([], chosen[::-1]) if backwards else moves_for(chosen, [])
    title = f"{chosen[0].name} .. {chosen[-1].name} ({'undo' if backwards else 'apply'})"
    click.echo(ScriptWriter(db).script(moves, title), nl=False)


def planned_moves(ctx: Context, local: dict[str, Any], target: str | None) -> tuple[Any, Any]:
    """What ``migrate`` would do, without the lock or any write: (database, moves)."""
    from .offline import OfflineDatabase, moves_for
    from .runner import MigrationRunner
    from .targets import assumed_records, target_number

    db = ctx.target(local)
    runner = MigrationRunner(db, ctx.directory(local))
    start = ctx.option(local, "from_version")
    if start is not None:
        files = runner.files()
        records = assumed_records(files, target_number(start, files, {}) or 0)
    elif isinstance(db, OfflineDatabase):
        records = {}
    else:
        with ctx.reading(db):
            records = runner._read_records()
    plan = runner.planned(target, records)  # every file to run checked, as migrate does
    return db, moves_for(plan.apply, [file for file, _ in plan.undo if file is not None])


def run_migrate_sql(ctx: Context, local: dict[str, Any], target: str | None) -> None:
    """``migrate --sql``: print the script instead of running it."""
    from .offline import ScriptWriter

    db, moves = planned_moves(ctx, local, target)
    title = (f"{len(moves)} migration(s) from {db.describe()}" if moves
             else f"nothing to do on {db.describe()}")
    click.echo(ScriptWriter(db).script(moves, title), nl=False)


def run_migrate_plan(ctx: Context, local: dict[str, Any], target: str | None) -> None:
    """``migrate --plan``: list what would run, step by step, and run nothing; every line is
    known before the first is printed, so a failure prints its error line alone."""
    from .offline import plan_lines

    db, moves = planned_moves(ctx, local, target)
    click.echo("\n".join(plan_lines(db, moves)))


# -- lint ----------------------------------------------------------------------------------------


def lint_range(files: list[Any], text: str | None) -> list[Any]:
    """The files of ``lint [RANGE]``: all, one VERSION, or FROM..TO (FROM.. / ..TO)."""
    from .offline import parse_range
    from .plan import parse_target

    if not text:
        return files
    if ".." in text:
        first, last = parse_range(text, files)
    else:
        first = last = parse_target(text, files, {}) or 0
    return [f for f in files if first <= f.number <= last]


def run_lint(ctx: Context, local: dict[str, Any], text: str | None) -> None:
    """Lint the range; exit 1 when something is found (for CI), 0 when clean."""
    from .lint import lint_files, lint_servers
    from .loader import discover

    servers = local.get("dialects") or ()
    db = lint_entities(ctx, local) if servers else ctx.database(local)
    directory = ctx.directory(local)
    files = lint_range(discover(directory), text)
    threshold = int(ctx.option(local, "large_table", 100_000))
    if servers:
        report = lint_servers(servers, directory, files, threshold=threshold, entities_from=db)
    else:
        with ctx.reading(db):
            report = lint_files(db, directory, files, threshold=threshold,
                                connected=not ctx.option(local, "offline", False))
    for finding in report.findings:
        click.echo(str(finding))
    for note in report.notes:
        say(ctx, local, f"note: {note}")
    silenced = f", {report.silenced} silenced" if report.silenced else ""
    if report.findings:
        click.secho(f"{len(report.findings)} finding(s) in {len(files)} file(s){silenced}; "
                    "each code's fix is in docs/lint.md", fg="red", err=True)
        raise Failure
    say(ctx, local, f"No findings in {len(files)} file(s){silenced}.", fg="green")


def lint_entities(ctx: Context, local: dict[str, Any]) -> Any:
    """``lint --dialect``: the module's Database for its entities (imported without
    connecting), or None without a module (NX105 is then skipped with a note)."""
    from .offline import without_connecting

    if not ctx.option(local, "module"):
        return None
    with without_connecting():
        return ctx.database(local)


def lint_written(ctx: Context, local: dict[str, Any], db: Any, path: Path,
                 snapshot: dict[str, Any] | None = None) -> None:
    """makemigrations: lint the file it just wrote and print the findings (never fails).

    ``snapshot`` is the one just written (its newest history entry is this file): passed on,
    the lint does not parse the file again.
    """
    from .lint import lint_files
    from .loader import discover

    directory = ctx.directory(local)
    files = [f for f in discover(directory) if f.name == path.name]
    try:
        report = lint_files(db, directory, files, snapshot=snapshot)
    except NextORMError as exc:
        click.secho(f"warning: the lint could not read {path.name}: {exc}", err=True,
                    fg="yellow")
        return
    if not ctx.quiet(local):
        for finding in report.findings:
            click.secho(f"lint: {finding}", err=True, fg="yellow")


# -- squash --------------------------------------------------------------------------------------


def run_squash(ctx: Context, local: dict[str, Any], start: str, end: str) -> None:
    """Write one migration that replaces START..END (the old files stay until you delete them)."""
    from .loader import discover
    from .plan import parse_target
    from .squash import squash

    directory = ctx.directory(local)
    files = discover(directory)
    first, last = parse_target(start, files, {}) or 0, parse_target(end, files, {}) or 0
    path = squash(files, first, last, directory, ctx.option(local, "name"))
    replaced = [f.name for f in files if first <= f.number <= last]
    say(ctx, local, f"Created {display(path)}, replacing {', '.join(replaced)}", fg="green")
    say(ctx, local, "note: keep the old files until every database has applied all of them "
                    "or none (see 'squash' in docs/cli.md); then delete them")
