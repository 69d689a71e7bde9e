"""Writer threads that keep inserting and updating while a migration runs.

Used by ``tests/integration/test_online_ddl.py`` and ``scripts/bench/online_ddl.py``.  Each
writer has its own connection (a Database bound to the same URL), inserts a row, then updates
one of its own rows, in autocommit, as an app does; every call is timed, and the longest is
the writer's stall.  ``verify`` then reads the table back: every insert is there, once, with
the value of its last update (no write lost, none applied twice).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from nextorm import Database

#: Rows in the table before the migration: enough that a table rewrite or a scan under a
#: write lock takes visible time, few enough to load in a second or two.
ROWS = 200_000


def setup_table(db: Any, rows: int = ROWS) -> None:
    """``parent(id)`` and ``item(id, writer, seq, val, note, ref_id)`` with ``rows`` rows."""
    q = db.dialect.quote
    auto = db.dialect.auto_pk_clause()
    opts = db.dialect.table_options()
    db._execute_dml(f"CREATE TABLE {q('parent')} ({q('id')} INTEGER PRIMARY KEY){opts}")
    db._execute_dml(f"INSERT INTO {q('parent')} ({q('id')}) VALUES (1), (2), (3)")
    db._execute_dml(
        f"CREATE TABLE {q('item')} ({q('id')} INTEGER {auto}, {q('writer')} INTEGER NOT NULL, "
        f"{q('seq')} INTEGER NOT NULL, {q('val')} INTEGER NOT NULL, "
        f"{q('note')} VARCHAR(40), {q('ref_id')} INTEGER){opts}")
    # Writers update by (writer, seq): indexed, so InnoDB locks only that row, not every
    # row its scan passes (a blocker's row lock would stall them, not the migration).
    db._execute_dml(f"CREATE INDEX {q('ix_item_ws')} ON {q('item')} ({q('writer')}, {q('seq')})")
    if db.provider == "postgres":
        source = f"generate_series(1, {rows}) AS s(n)"
        number = "n"
    else:
        source = f"seq_1_to_{rows}"
        number = "seq"
    db._execute_dml(
        f"INSERT INTO {q('item')} ({q('writer')}, {q('seq')}, {q('val')}, {q('note')}, "
        f"{q('ref_id')}) SELECT -1, {number}, {number} % 1000, 'seed', 1 + {number} % 3 "
        f"FROM {source}")


@dataclass
class Writer:
    """One writer's own rows (seq -> expected val) and its timings."""

    number: int
    expected: dict[int, int] = field(default_factory=dict)
    longest: float = 0.0
    operations: int = 0
    errors: list[str] = field(default_factory=list)


class Writers:
    """``count`` threads writing to ``item`` until ``stop()``."""

    def __init__(self, provider: str, url: str, count: int = 4) -> None:
        self.provider, self.url = provider, url
        self.writers = [Writer(i) for i in range(count)]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Writers:
        for writer in self.writers:
            thread = threading.Thread(target=self._run, args=(writer,), daemon=True)
            thread.start()
            self._threads.append(thread)
        time.sleep(0.3)  # every writer is writing before the migration starts
        return self

    def stop(self) -> float:
        """Stop the writers; return the longest time one call of any writer took."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        errors = [e for w in self.writers for e in w.errors]
        assert not errors, errors[:3]
        return self.longest

    @property
    def longest(self) -> float:
        return max(w.longest for w in self.writers)

    @property
    def operations(self) -> int:
        return sum(w.operations for w in self.writers)

    def _run(self, writer: Writer) -> None:
        db = Database(entities=[])
        db.bind(self.provider, self.url)
        q = db.dialect.quote
        insert = (f"INSERT INTO {q('item')} ({q('writer')}, {q('seq')}, {q('val')}, {q('note')}, "
                  f"{q('ref_id')}) VALUES (?, ?, ?, ?, ?)")
        update = (f"UPDATE {q('item')} SET {q('val')} = ? WHERE {q('writer')} = ? "
                  f"AND {q('seq')} = ?")
        rng = random.Random(writer.number)
        seq = 0
        try:
            while not self._stop.is_set():
                seq += 1
                self._timed(writer, db._execute_dml, insert, [writer.number, seq, 0, "w", 1])
                writer.expected[seq] = 0
                target = rng.randint(1, seq)
                value = writer.expected[target] + 1
                self._timed(writer, db._execute_dml, update, [value, writer.number, target])
                writer.expected[target] = value
        except Exception as exc:  # reported by stop()
            writer.errors.append(f"writer {writer.number}: {type(exc).__name__}: {exc}")
        finally:
            db.disconnect()

    @staticmethod
    def _timed(writer: Writer, method: Any, sql: str, params: list[Any]) -> None:
        started = time.perf_counter()
        method(sql, params)
        writer.longest = max(writer.longest, time.perf_counter() - started)
        writer.operations += 1

    def verify(self, db: Any, rows: int = ROWS) -> None:
        """Every write is there once, with its last value; the seed rows are untouched."""
        q = db.dialect.quote
        found = db._execute(f"SELECT {q('writer')}, {q('seq')}, {q('val')} FROM {q('item')} "
                            f"WHERE {q('writer')} >= 0")
        got: dict[tuple[int, int], int] = {}
        for writer, seq, val in found:
            assert (writer, seq) not in got, f"row {writer}/{seq} written twice"
            got[(int(writer), int(seq))] = int(val)
        want = {(w.number, s): v for w in self.writers for s, v in w.expected.items()}
        assert got == want
        seed = db._execute(f"SELECT COUNT(*) FROM {q('item')} WHERE {q('writer')} = -1")
        assert seed[0][0] == rows
