"""Online-safe DDL on real servers, under load: writer threads insert and update all along.

For each server: the online patterns (PostgreSQL ``CREATE INDEX CONCURRENTLY``, foreign key
``NOT VALID`` + ``VALIDATE``, NOT NULL through a validated CHECK; MariaDB
``ALGORITHM=INSTANT`` / ``INPLACE, LOCK=NONE``) run while writers write; a long open
transaction makes the migration time out and retry instead of queueing the writers behind
it; a migration that cannot get its lock gives up naming the blocking session.  Each test
prints the longest time a writer was blocked and checks that no write was lost.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from nextorm import Database, MigrationError
from nextorm.migrations.runner import MigrationRunner
from nextorm.schema.operations import AddColumn, AddForeignKey, AlterColumn, CreateIndex
from support.writers import ROWS, Writers, setup_table

#: Per server: the lock timeout (MariaDB counts whole seconds), how long the blocker holds
#: its transaction, and the longest stall a writer may see meanwhile.
TIMING = {"postgres": (0.3, 2.0, 1.5), "mysql": (1.0, 4.0, 3.0)}


@pytest.fixture(params=["postgres", "mysql"])
def server(request):
    return request.getfixturevalue(f"{request.param}_target")


@pytest.fixture
def loaded(server):
    db = Database(entities=[])
    server.bind(db)
    setup_table(db)
    yield server, db
    db.disconnect()


def write_file(folder: Path, name: str, statements: list[str], *, atomic: bool = True) -> None:
    folder.mkdir(exist_ok=True)
    body = "".join(f"    db._execute_dml({sql!r}, [])\n" for sql in statements)
    flag = "" if atomic else "ATOMIC = False\n"
    (folder / name).write_text(f"{flag}\n\ndef upgrade(db):\n{body}")


def online_statements(db: Database) -> list[str]:
    """What makemigrations renders for an index, a foreign key and a NOT NULL on ``item``."""
    dialect = db.dialect.for_migration({"item", "parent"}, concurrent=True)
    note = {"type": "str", "max_len": 40, "nullable": True}
    ops = [CreateIndex("item", "idx_item__val", ("val",)),
           AlterColumn("item", "note", note, {**note, "nullable": False}),
           AddColumn("item", "flag", {"type": "int", "nullable": True})]
    if db.provider == "postgres":  # MariaDB copies the table for a foreign key: lint warns
        ops.append(AddForeignKey("item", "fk_item__ref_id", {
            "columns": ["ref_id"], "ref_table": "parent", "ref_columns": ["id"],
            "on_delete": "RESTRICT"}))
    rendered = [s for op in ops for s in dialect.render(op)]
    return [s for s in rendered if isinstance(s, str)]  # the checks need no rows here


def test_online_patterns_keep_writers_going(loaded, tmp_path):
    server, db = loaded
    statements = online_statements(db)
    if db.provider == "postgres":
        assert any("CONCURRENTLY" in s for s in statements)
        assert any("NOT VALID" in s for s in statements)
    else:
        assert all("ALGORITHM=" in s for s in statements)
    atomic = not any(db.dialect.outside_transaction(s) for s in statements)
    write_file(tmp_path / "m", "0001_online.py", statements, atomic=atomic)
    writers = Writers(server.provider, server.url).start()
    started = time.perf_counter()
    MigrationRunner(db, tmp_path / "m").migrate()
    took = time.perf_counter() - started
    stall = writers.stop()
    print(f"\n{db.provider}: migration {took:.2f} s over {ROWS} rows, {writers.operations} "
          f"writes, longest writer stall {stall * 1000:.0f} ms")
    writers.verify(db)
    assert writers.operations > 0
    assert stall < 2.0
    table = db.dialect.introspect_tables(db)["item"]
    assert not table["columns"]["note"].get("nullable")
    assert "idx_item__val" in table["indexes"]


class Blocker:
    """Another connection holding a lock on ``item`` in an open transaction."""

    def __init__(self, server) -> None:
        self.db = Database(entities=[])
        server.bind(self.db)
        q = self.db.dialect.quote
        self.db._execute_dml("BEGIN")
        self.db._execute_dml(f"UPDATE {q('item')} SET {q('val')} = {q('val')} WHERE {q('id')} = 1")
        ident = "pg_backend_pid()" if server.provider == "postgres" else "CONNECTION_ID()"
        self.session = self.db._execute(f"SELECT {ident}")[0][0]

    def release_after(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self.end)
        timer.start()
        return timer

    def end(self) -> None:
        self.db._execute_dml("COMMIT")
        self.db.disconnect()


@pytest.mark.slow
def test_long_transaction_makes_the_migration_retry_not_queue_the_writers(loaded, tmp_path):
    server, db = loaded
    timeout, held, bound = TIMING[db.provider]
    q = db.dialect.quote
    db._execute_dml(f"CREATE TABLE {q('audit')} ({q('n')} INTEGER)")
    # PostgreSQL runs this in one transaction: a timeout aborts it, and the whole of it
    # (the INSERT too) runs again, so the INSERT must be there once.
    write_file(tmp_path / "m", "0001_add_extra.py", [
        f"INSERT INTO {q('audit')} ({q('n')}) VALUES (1)",
        f"ALTER TABLE {q('item')} ADD COLUMN {q('extra')} INTEGER"])
    writers = Writers(server.provider, server.url).start()
    blocker = Blocker(server)
    blocker.release_after(held)
    started = time.perf_counter()
    MigrationRunner(db, tmp_path / "m", lock_timeout=timeout, lock_retries=30).migrate()
    took = time.perf_counter() - started
    stall = writers.stop()
    print(f"\n{db.provider}: blocker held {held} s, migration done after {took:.2f} s, "
          f"longest writer stall {stall * 1000:.0f} ms (lock timeout {timeout} s)")
    assert took >= held * 0.9  # it waited the blocker out, retrying
    assert stall < bound  # the writers never queued behind it for the blocker's time
    writers.verify(db)
    assert db._execute(f"SELECT COUNT(*) FROM {q('audit')}")[0][0] == 1
    assert db._execute(f"SELECT COUNT({q('extra')}) FROM {q('item')}")[0][0] == 0


@pytest.mark.slow
def test_gives_up_naming_the_blocking_session(loaded, tmp_path):
    server, db = loaded
    q = db.dialect.quote
    write_file(tmp_path / "m", "0001_add_extra.py", [
        f"ALTER TABLE {q('item')} ADD COLUMN {q('extra')} INTEGER"])
    blocker = Blocker(server)
    try:
        with pytest.raises(MigrationError) as caught:
            MigrationRunner(db, tmp_path / "m", lock_timeout=0.2, lock_retries=1).migrate()
    finally:
        blocker.end()
    line = str(caught.value)
    assert "\n" not in line
    assert "lock timeout: waited 0.2 s for a lock 2 time(s)" in line
    word = "pid" if db.provider == "postgres" else "session"
    assert f"{word} {blocker.session} (" in line, line
    assert "0001_add_extra.py upgrade failed" in line
    columns = db.dialect.introspect_tables(db)["item"]["columns"]
    assert "extra" not in columns
    # the blocker is gone: the same migration now goes through
    MigrationRunner(db, tmp_path / "m", lock_timeout=0.2, lock_retries=1).migrate()
    assert "extra" in db.dialect.introspect_tables(db)["item"]["columns"]


def test_failed_concurrent_index_is_dropped_and_rebuilt_by_retry(postgres_target, tmp_path):
    db = Database(entities=[])
    postgres_target.bind(db)
    setup_table(db, rows=20_000)
    write_file(tmp_path / "m", "0001_unique_val.py", [
        'ALTER TABLE "item" ADD COLUMN "flag" INTEGER',
        'CREATE UNIQUE INDEX CONCURRENTLY "uq_item_val" ON "item" ("val")',
        'VACUUM "item"'], atomic=False)
    with pytest.raises(MigrationError, match="could not create unique index"):
        MigrationRunner(db, tmp_path / "m").migrate()
    valid = 'SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(\'uq_item_val\')'
    assert db._execute(valid) == [(False,)]  # what a failed concurrent build leaves
    status = db._execute('SELECT status, progress FROM "_nextorm_migrations"')
    assert status == [("failed", 1)]
    db._execute_dml('UPDATE "item" SET "val" = "id"')
    MigrationRunner(db, tmp_path / "m").migrate(retry=True)
    assert db._execute(valid) == [(True,)]
    assert db._execute('SELECT status FROM "_nextorm_migrations"') == [("applied",)]
    db.disconnect()
