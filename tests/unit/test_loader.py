"""Discovering and importing migration files: order, names, checksums, isolation."""

from __future__ import annotations

import sys

import pytest

from nextorm.errors import MigrationError
from nextorm.migrations.loader import discover, file_checksum, import_migration


def write(folder, name, text="def upgrade(db):\n    pass\n"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def test_discover_orders_by_number_and_ignores_other_files(tmp_path):
    for name in ("0010_ten.py", "0002_two.py", "10000_big.py", "0001_initial.py",
                 "README.md", "__init__.py", "0003-dash.py", "_helper.py", ".0004_tmp.py.tmp"):
        write(tmp_path, name)
    (tmp_path / "0005_dir.py").mkdir()
    found = discover(tmp_path)
    assert [(m.number, m.version, m.name) for m in found] == [
        (1, "0001", "0001_initial.py"), (2, "0002", "0002_two.py"), (10, "0010", "0010_ten.py"),
        (10000, "10000", "10000_big.py")]


def test_duplicate_numbers_name_both_files(tmp_path):
    write(tmp_path, "0003_a.py")
    write(tmp_path, "003_b.py")
    with pytest.raises(MigrationError, match=r"two migrations have the number 3: \S*/0003_a\.py and "
                                             r"\S*/003_b\.py"):
        discover(tmp_path)


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(MigrationError, match="does not exist: run makemigrations first"):
        discover(tmp_path / "nope")
    (tmp_path / "file").write_text("")
    with pytest.raises(MigrationError, match="is not a directory"):
        discover(tmp_path / "file")


def test_a_file_larger_than_one_read_is_checksummed_whole(tmp_path):
    """``discover`` reads 64 KiB at a time: a 200 KB file's checksum covers every byte."""
    import hashlib

    text = "def upgrade(db):\n" + "".join(f"    x = {i}  # {'.' * 60}\n" for i in range(3000))
    write(tmp_path, "0001_big.py", text)
    assert len(text) > 3 * (1 << 16)
    (found,) = discover(tmp_path)
    assert found.checksum == hashlib.sha256(text.encode()).hexdigest()
    write(tmp_path, "0001_big.py", text + "    y = 1\n")
    assert discover(tmp_path)[0].checksum != found.checksum


def test_checksum_ignores_line_endings_only():
    assert file_checksum(b"a\r\nb\r\n") == file_checksum(b"a\nb\n") == file_checksum(b"a\rb\r")
    assert file_checksum(b"a\nb\n") != file_checksum(b"a\nc\n")


def test_import_by_path_bypasses_sys_modules(tmp_path):
    write(tmp_path / "one", "0001_initial.py", "VALUE = 1\ndef upgrade(db):\n    pass\n")
    write(tmp_path / "two", "0001_initial.py", "VALUE = 2\ndef upgrade(db):\n    pass\n")
    before = set(sys.modules)
    first = import_migration(discover(tmp_path / "one")[0], "sqlite")
    second = import_migration(discover(tmp_path / "two")[0], "sqlite")
    assert (first.VALUE, second.VALUE) == (1, 2)
    assert set(sys.modules) == before


@pytest.mark.parametrize("declared, provider, ok", [
    ("sqlite", "sqlite", True), ("postgresql", "postgres", True), ("mariadb", "mysql", True),
    ("postgres", "sqlite", False), (None, "mysql", True)])
def test_dialect_check(tmp_path, declared, provider, ok):
    head = f"DIALECT = {declared!r}\n" if declared else ""
    write(tmp_path, "0001_x.py", head + "def upgrade(db):\n    pass\n")
    migration = discover(tmp_path)[0]
    if ok:
        import_migration(migration, provider)
    else:
        with pytest.raises(MigrationError, match=f"was rendered for postgres but the database "
                                                 f"is {provider}"):
            import_migration(migration, provider)


def test_unknown_dialect_and_import_errors(tmp_path):
    write(tmp_path / "a", "0001_x.py", "DIALECT = 'oracle'\ndef upgrade(db):\n    pass\n")
    with pytest.raises(MigrationError, match="unknown DIALECT 'oracle'"):
        import_migration(discover(tmp_path / "a")[0], "sqlite")
    write(tmp_path / "b", "0001_x.py", "import os\n\nraise RuntimeError('boom')\n")
    with pytest.raises(MigrationError, match=r"0001_x\.py line 3: importing the migration raised "
                                             r"RuntimeError: boom"):
        import_migration(discover(tmp_path / "b")[0], "sqlite")
    write(tmp_path / "c", "0001_x.py", "upgrade = 3\n")
    with pytest.raises(MigrationError, match=r"has no upgrade\(db\) function"):
        import_migration(discover(tmp_path / "c")[0], "sqlite")
