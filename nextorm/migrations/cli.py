"""The ``nextorm`` command line: makemigrations, migrate, showmigrations, sqlmigrate.

::

    python -m nextorm.migrations.cli makemigrations --module myapp.models [--name LABEL]
    python -m nextorm.migrations.cli migrate        --module myapp.models [TARGET] [--fake]
    python -m nextorm.migrations.cli showmigrations --module myapp.models
    python -m nextorm.migrations.cli sqlmigrate     --module myapp.models VERSION
    pdm run migrate --makemigrations --migrate      # root flags, run in that order

Every command accepts ``--module``, ``--db-attr`` (default ``db``) and ``--directory``
(default ``migrations/``); defaults may come from ``[tool.nextorm]`` in the nearest
pyproject.toml.  A failure prints one ``error: ...`` line and exits 1; bad usage exits 2.
Colours are used only on a terminal.  Full reference: ``docs/cli.md``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import MigrationError, NextORMError, SQLError
from .loader import DISPLAY_BASE, display
from .project import ProjectConfig, find_config, load_database, make_importable

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
COMMON = ("module", "db_attr", "directory", "quiet")


class Failure(Exception):
    """Stop with exit code 1 without printing an error line (the output said it all)."""


class Context:
    """The options of one invocation, merged: command line, then [tool.nextorm], then defaults."""

    def __init__(self, config: ProjectConfig, root_options: dict[str, Any],
                 cwd: Path | None = None) -> None:
        self.config = config
        self.root = root_options
        self.started_in = cwd or Path.cwd()
        #: The project folder: where the default migrations/ is and paths are shown from.
        self.project = config.root or self.started_in
        DISPLAY_BASE.set(self.project)
        if cwd is None and self.project != self.started_in:
            # The command as a user types it runs as if started in the project folder, so the
            # module's relative paths (a SQLite file) mean the same from any sub-folder.
            # (Called in process with ``cwd``, nothing changes the process's folder.)
            os.chdir(self.project)

    def option(self, local: dict[str, Any], name: str, default: Any = None) -> Any:
        for value in (local.get(name), self.root.get(name),
                      self.config.get(name.replace("_", "-"))):
            if value not in (None, False, ()):
                return value
        return default

    @contextmanager
    def reading(self, db: Any) -> Iterator[None]:
        """Name the database in an error that is not a migration's own (file, lock, table)."""
        try:
            yield
        except SQLError as exc:
            where = (display(Path(db.sqlite_filename)) if db.sqlite_filename
                     else f"the {db.provider} database")
            raise MigrationError(f"{where}: {exc}") from None

    def database(self, local: dict[str, Any]) -> Any:
        module = self.option(local, "module")
        if not module:
            raise click.UsageError(
                "--module is required (or set module = \"...\" under [tool.nextorm] in "
                "pyproject.toml)"
            )
        make_importable(self.project, self.started_in)
        return load_database(module, self.option(local, "db_attr", "db"), self.started_in)

    def path(self, local: dict[str, Any], name: str, default: str | None = None) -> str | None:
        """A path option; one typed on the command line is relative to where the user is."""
        value = self.option(local, name)
        return str(self.started_in / value) if value else default

    def directory(self, local: dict[str, Any]) -> str:
        return self.path(local, "directory") or str(self.project / "migrations")

    def quiet(self, local: dict[str, Any]) -> bool:
        return bool(self.option(local, "quiet", False))


def common_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add --module, --db-attr, --directory and -q to a command."""
    options = [
        click.option("--module", "-m", metavar="MODULE",
                     help="Python module that defines and binds the Database."),
        click.option("--db-attr", metavar="NAME", help="Attribute of the module (default db)."),
        click.option("--directory", "-d", metavar="PATH",
                     help="Migrations directory (default migrations/)."),
        click.option("--quiet", "-q", is_flag=True, default=None,
                     help="Print errors only."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def generator_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the makemigrations options."""
    options = [
        click.option("--name", "-n", metavar="LABEL", help="Suffix of the new file's name."),
        click.option("--empty", is_flag=True, help="Write an empty migration to fill by hand."),
        click.option("--check", is_flag=True,
                     help="Write nothing; exit 1 if a migration is needed (for CI)."),
        click.option("--dry-run", is_flag=True, help="Print the file instead of writing it."),
        click.option("--rename", "renames", multiple=True, metavar="TABLE.OLD=NEW",
                     help="A column was renamed (repeatable)."),
        click.option("--rename-table", "table_renames", multiple=True, metavar="OLD=NEW",
                     help="A table was renamed (repeatable)."),
        click.option("--default", "defaults", multiple=True, metavar="TABLE.COLUMN=VALUE",
                     help="Value existing rows get for a NOT NULL column (repeatable)."),
        click.option("--templates", metavar="DIR", help="Project template folder."),
        click.option("--no-input", is_flag=True, help="Never ask questions, even on a terminal."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def migrate_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the migrate options."""
    options = [
        click.option("--fake", is_flag=True, default=None,
                     help="Record migrations as applied without running them."),
        click.option("--accept-changed", is_flag=True, default=None,
                     help="Accept applied files that were edited or deleted."),
        click.option("--retry", is_flag=True, default=None,
                     help="Resume (or run again) a migration that stopped half-way on MariaDB."),
        click.option("--allow-out-of-order", is_flag=True, default=None,
                     help="Apply a pending migration numbered below an applied one."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def say(ctx: Context, local: dict[str, Any], text: str, **style: Any) -> None:
    if not ctx.quiet(local):
        click.secho(text, **style)


# -- the commands ----------------------------------------------------------------------------


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.option("--makemigrations", "do_makemigrations", is_flag=True,
              help="Run makemigrations (flags run in the order make, migrate, show).")
@click.option("--migrate", "do_migrate", is_flag=True, help="Run migrate.")
@click.option("--showmigrations", "do_showmigrations", is_flag=True, help="Run showmigrations.")
@generator_options
@migrate_options
@click.version_option(package_name="nextorm", prog_name="nextorm")
@click.pass_context
def cli(click_ctx: click.Context, do_makemigrations: bool, do_migrate: bool,
        do_showmigrations: bool, **options: Any) -> None:
    """NextORM migrations: makemigrations, migrate, showmigrations, sqlmigrate."""
    cwd = click_ctx.obj  # a folder when called in process (run), None from the command line
    ctx = Context(find_config(cwd), options, cwd)
    click_ctx.obj = ctx
    if click_ctx.invoked_subcommand is not None:
        return
    if not (do_makemigrations or do_migrate or do_showmigrations):
        click.echo(click_ctx.get_help())
        raise click.exceptions.Exit(EXIT_USAGE)
    if do_makemigrations:
        run_makemigrations(ctx, {})
    if do_migrate:
        run_migrate(ctx, {}, None)
    if do_showmigrations:
        run_showmigrations(ctx, {})


@cli.command()
@common_options
@generator_options
@click.pass_obj
def makemigrations(ctx: Context, **local: Any) -> None:
    """Write the next migration file from the entity changes."""
    run_makemigrations(ctx, local)


@cli.command()
@click.argument("target", required=False)
@common_options
@migrate_options
@click.pass_obj
def migrate(ctx: Context, target: str | None, **local: Any) -> None:
    """Apply pending migrations, or move to TARGET (a number, or zero to undo all)."""
    run_migrate(ctx, local, target)


@cli.command()
@common_options
@click.pass_obj
def showmigrations(ctx: Context, **local: Any) -> None:
    """List every migration with [x] applied or [ ] pending."""
    run_showmigrations(ctx, local)


@cli.command()
@click.argument("version")
@click.option("--backwards", is_flag=True, help="Show the downgrade SQL instead.")
@common_options
@click.pass_obj
def sqlmigrate(ctx: Context, version: str, backwards: bool, **local: Any) -> None:
    """Print the SQL of one migration without running it."""
    from .runner import MigrationRunner

    db = ctx.database(local)
    runner = MigrationRunner(db, ctx.directory(local))
    for statement in runner.sqlmigrate(version, backwards=backwards):
        click.echo(statement)


@cli.command()
@common_options
@click.pass_obj
def check(ctx: Context, **local: Any) -> None:
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


@cli.command("rebuild-snapshot")
@common_options
@click.pass_obj
def rebuild_snapshot(ctx: Context, **local: Any) -> None:
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


# -- what the commands do --------------------------------------------------------------------


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


# -- entry point -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; print ``error: ...`` on failure. Returns (and exits with) the exit code."""
    code = run(argv)
    sys.exit(code)


def run(argv: list[str] | None, cwd: Path | None = None) -> int:
    """Run the CLI in this process and return its exit code.

    ``cwd`` is the folder the command runs in, as if the user typed it there; the process's
    own working directory is left alone (tests and tools call the CLI this way).
    """
    token = DISPLAY_BASE.set(None)
    try:
        return _main(argv, cwd)
    finally:
        DISPLAY_BASE.reset(token)


def _main(argv: list[str] | None, cwd: Path | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="nextorm", standalone_mode=False, obj=cwd)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        message = " ".join(exc.format_message().split()).rstrip(".")
        message = message[:1].lower() + message[1:]
        click.secho(f"error: {message}{hint}", err=True, fg="red")
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("error: interrupted (Ctrl-C)", err=True)
            return 130
        click.echo("error: aborted", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        click.secho(f"error: {exc.format_message()}", err=True, fg="red")
        return EXIT_FAILURE
    except Failure:
        return EXIT_FAILURE
    except NextORMError as exc:
        click.secho(f"error: {exc}", err=True, fg="red")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        return 130
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    main()
