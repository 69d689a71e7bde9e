"""The lock timeout is set once for a run of migrations, not around each one (two round
trips a migration cost ~15% of applying 500 on PostgreSQL), and given back at the end."""

from __future__ import annotations

from nextorm import capture_sql
from nextorm.migrations.runner import MigrationRunner


def _files(folder, count):
    folder.mkdir()
    for n in range(1, count + 1):
        (folder / f"{n:04d}_t{n}.py").write_text(
            f"def upgrade(db):\n    db._execute_dml('CREATE TABLE t{n} (id INTEGER)', [])\n\n\n"
            f"def downgrade(db):\n    db._execute_dml('DROP TABLE t{n}', [])\n")


def _timeout_statements(queries) -> list[str]:
    return [q.sql for q in queries if q.sql.lstrip().upper().startswith(("SET", "RESET"))
            and ("lock_timeout" in q.sql or "lock_wait_timeout" in q.sql)]


def test_a_run_sets_the_timeout_once_and_gives_it_back(db, tmp_path):
    _files(tmp_path / "m", 4)
    expected = len(db.dialect.lock_timeout_sql(5.0)) + len(db.dialect.reset_lock_timeout_sql())
    with capture_sql() as queries:
        MigrationRunner(db, tmp_path / "m").migrate()
    assert len(_timeout_statements(queries)) == expected  # 0 on SQLite: no lock timeouts
    assert {"t1", "t2", "t3", "t4"} <= set(db.table_names())
    with capture_sql() as queries:
        MigrationRunner(db, tmp_path / "m").migrate()  # nothing to do: no SET at all
    assert _timeout_statements(queries) == []
    with capture_sql() as queries:
        MigrationRunner(db, tmp_path / "m").migrate("zero")
    assert len(_timeout_statements(queries)) == expected
    assert not {"t1", "t2", "t3", "t4"} & set(db.table_names())
