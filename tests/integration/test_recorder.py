"""The tracking table on each database: created on demand, read without side effects."""

from __future__ import annotations

import re

from nextorm import Database
from nextorm.migrations.recorder import MigrationRecorder


def test_records_roundtrip(target):
    db = Database(entities=[])
    target.bind(db)
    try:
        recorder = MigrationRecorder(db)
        assert recorder.records() == {}
        assert "_nextorm_migrations" not in db.table_names()  # reading creates nothing

        recorder.ensure_table()
        recorder.ensure_table()  # idempotent
        recorder.record_applied("0001", "0001_initial.py", "a" * 64)
        recorder.record_running("0002", "0002_next.py", "b" * 64)
        recorder.mark_failed("0002", 3, "boom")
        records = recorder.records()
        assert sorted(records) == [1, 2]
        first, second = records[1], records[2]
        assert (first.version, first.name, first.checksum, first.status) == (
            "0001", "0001_initial.py", "a" * 64, "applied")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first.applied_at)
        assert (second.status, second.progress, second.error) == ("failed", 3, "boom")

        recorder.mark_applied("0002")
        assert recorder.records()[2].status == "applied"
        assert recorder.is_recorded("0002")
        recorder.forget("0002")
        assert not recorder.is_recorded("0002")
        assert sorted(recorder.records()) == [1]
    finally:
        db.disconnect()


def test_records_read_the_source_text_only_when_asked(target):
    """records() leaves each row's text in the table; text() reads it (None: a row has none)."""
    db = Database(entities=[])
    target.bind(db)
    try:
        recorder = MigrationRecorder(db)
        recorder.ensure_table()
        recorder.record_applied("0001", "0001_initial.py", "a" * 64, "def upgrade(db):\n    pass\n")
        recorder.record_applied("0002", "0002_old.py", "b" * 64)  # as an early version wrote it
        records = recorder.records()
        kept, bare = records[1], records[2]
        assert (kept.source_text, kept.has_source, bare.has_source) == (None, True, False)
        assert kept.text() == "def upgrade(db):\n    pass\n"
        assert bare.text() is None
        recorder.set_source("0002", "c" * 64, "# edited\n")
        assert recorder.records()[2].text() == "# edited\n"
    finally:
        db.disconnect()
