"""The lint rules on SQL shapes of the three servers, and the silences, with no server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nextorm.dialects import get_dialect
from nextorm.migrations.lint.model import FileView
from nextorm.migrations.lint.rules import RULES
from nextorm.migrations.lint.silence import read_silences
from nextorm.migrations.lint.sql import Statement
from nextorm.migrations.loader import MigrationFile

RULE = {rule.code: rule for rule in RULES}
POST = {"post": {"columns": {"id": {"type": "int"}, "title": {"type": "str", "max_len": 80},
                             "body": {"type": "str", "nullable": True}},
                 "primary_key": ["id"], "indexes": {}, "uniques": {}, "foreign_keys": {}}}


def view(*sql: str, server: str = "postgres", **options) -> FileView:
    file = MigrationFile(2, "0002", "0002_x.py", Path("migrations/0002_x.py"), "")
    statements = [Statement(i, text, i + 1) for i, text in enumerate(sql, 1)]
    return FileView(file, statements, get_dialect(server), **options)


def hits(code: str, *sql: str, **options) -> list[str]:
    return [message for _, message in RULE[code].check(view(*sql, **options))]


@pytest.mark.parametrize(("server", "sql", "expected"), [
    ("sqlite", 'CREATE TABLE "_nextorm_new_post" ("id" INTEGER)', "rebuilds table post"),
    ("postgres", 'ALTER TABLE "post" ALTER COLUMN "title" TYPE INTEGER USING "title"::INTEGER',
     "changes the type of post.title to INTEGER"),
    ("mysql", "ALTER TABLE `post` MODIFY COLUMN `title` VARCHAR(40) NOT NULL",
     "changes the type of post.title to VARCHAR(40)"),
    ("mysql", "ALTER TABLE post ADD COLUMN x INT, ALGORITHM=COPY", "copies table post"),
])
def test_nx101_finds_each_servers_rewrite(server, sql, expected):
    [message] = hits("NX101", sql, server=server, before=POST)
    assert expected in message


@pytest.mark.parametrize(("server", "sql"), [
    ("postgres", 'ALTER TABLE "post" ALTER COLUMN "title" TYPE VARCHAR(120)'),  # wider: no copy
    ("postgres", 'ALTER TABLE "post" ALTER COLUMN "title" TYPE TEXT'),
    ("mysql", "ALTER TABLE `post` MODIFY `title` VARCHAR(40) NOT NULL, ALGORITHM=INPLACE"),
    ("postgres", 'CREATE TABLE "post2" ("id" INTEGER)'),
])
def test_nx101_leaves_what_keeps_the_rows_in_place(server, sql):
    assert hits("NX101", sql, server=server, before=POST) == []


def test_nx102_validating_constraints_need_not_valid():
    add_fk = ('ALTER TABLE "post" ADD CONSTRAINT "fk" FOREIGN KEY ("a") REFERENCES "u" ("id")')
    assert "scans every row" in hits("NX102", add_fk)[0]
    assert hits("NX102", add_fk + " NOT VALID") == []
    assert hits("NX102", 'ALTER TABLE "post" ADD CONSTRAINT "u1" UNIQUE ("title")')
    assert hits("NX102", 'ALTER TABLE "post" ADD CONSTRAINT "u1" UNIQUE USING INDEX "ix"') == []
    # A table made in the same file has no rows yet.
    assert hits("NX102", 'CREATE TABLE "post" ("id" INT)', add_fk) == []


def test_nx103_volatile_defaults_only_on_existing_tables():
    add = 'ALTER TABLE "post" ADD COLUMN "n" INTEGER DEFAULT floor(random() * 10)'
    assert hits("NX103", add)
    assert hits("NX103", 'CREATE TABLE "post" ("id" INT)', add) == []  # no rows yet
    assert hits("NX103", 'ALTER TABLE "post" ADD COLUMN "n" INTEGER DEFAULT 0') == []


def add_column(server: str, definition: str, tail: str = "") -> str:
    quote = "`" if server == "mysql" else '"'
    return f"ALTER TABLE {quote}post{quote} ADD COLUMN {quote}c{quote} {definition}{tail}"


# Measured on PostgreSQL 15 (pg_relation_filenode changes), MariaDB 10.11 (ALGORITHM=INSTANT
# refused) and SQLite 3.40 (the ALTER fails), each with rows in the table: docs/lint.md.
@pytest.mark.parametrize(("server", "definition", "expected"), [
    ("postgres", "INTEGER DEFAULT floor(random()*10)",
     "DEFAULT floor(random()*10): random() is volatile: PostgreSQL computes it for every "
     "existing row and rewrites the table"),
    ("postgres", "UUID NOT NULL DEFAULT gen_random_uuid()", "gen_random_uuid() is volatile"),
    ("postgres", "UUID DEFAULT uuid_generate_v4()", "uuid_generate_v4() is volatile"),
    ("postgres", "TIMESTAMP DEFAULT clock_timestamp()", "clock_timestamp() is volatile"),
    ("postgres", "BIGINT DEFAULT nextval('post_seq'::regclass)", "nextval() is volatile"),
    ("postgres", "TEXT DEFAULT substr(md5(random()::text), 1, 8) NOT NULL",
     "DEFAULT substr(md5(random()::text), 1, 8): random() is volatile"),
    ("postgres", "BIGSERIAL", "a sequence numbers every existing row"),
    ("postgres", "INT GENERATED ALWAYS AS IDENTITY", "a sequence numbers every existing row"),
    ("mysql", "CHAR(36) DEFAULT (UUID())",
     "MariaDB cannot add a column with uuid() instantly: it copies the table"),
    ("mysql", "DATETIME DEFAULT (SYSDATE())", "with sysdate() instantly"),
    ("mysql", "DATETIME DEFAULT (UTC_TIMESTAMP)", "with utc_timestamp() instantly"),
    ("mysql", "INT DEFAULT (NEXT VALUE FOR s)", "with NEXT VALUE FOR instantly"),
    ("mysql", "INT NOT NULL AUTO_INCREMENT UNIQUE", "AUTO_INCREMENT numbers every existing row"),
    ("sqlite", "TIMESTAMP DEFAULT CURRENT_TIMESTAMP",
     "SQLite adds a column only with a constant default: the statement fails on a table "
     "that has rows"),
    ("sqlite", "INTEGER DEFAULT (abs(random()) % 10)", "only with a constant default"),
    ("sqlite", "TEXT DEFAULT (datetime('now'))", "only with a constant default"),
])
def test_nx103_finds_what_each_server_computes_per_row(server, definition, expected):
    [message] = hits("NX103", add_column(server, definition), server=server)
    assert message.startswith("adds post.c ") and expected in message, message


@pytest.mark.parametrize(("server", "definition"), [
    # PostgreSQL 11+ stores a non-volatile default once: STABLE time functions included.
    ("postgres", "TIMESTAMP DEFAULT now()"),
    ("postgres", "TIMESTAMP DEFAULT current_timestamp"),
    ("postgres", "TIMESTAMP DEFAULT statement_timestamp()"),
    ("postgres", "TIMESTAMP DEFAULT transaction_timestamp()"),
    ("postgres", "TIMESTAMP DEFAULT (now() + interval '1 day')"),
    ("postgres", "TEXT DEFAULT 'random()'"),  # a string, not a call
    ("postgres", 'TEXT DEFAULT md5(\'a\')'),
    ("postgres", "INTEGER DEFAULT 0 NOT NULL"),
    # MariaDB 10.11 adds these instantly (RAND() too: evaluated once for every row).
    ("mysql", "TIMESTAMP DEFAULT CURRENT_TIMESTAMP"),
    ("mysql", "DATETIME DEFAULT NOW()"),
    ("mysql", "DOUBLE DEFAULT (RAND())"),
    ("mysql", "DATE DEFAULT (CURDATE())"),
    ("mysql", "INT NOT NULL DEFAULT 7"),
    # SQLite: literals, signed or in parentheses.
    ("sqlite", "INTEGER DEFAULT (7)"),
    ("sqlite", "INTEGER DEFAULT -1"),
    ("sqlite", "TEXT NOT NULL DEFAULT 'a''b'"),
    ("sqlite", "BLOB DEFAULT X'00'"),
    ("sqlite", "TEXT DEFAULT NULL"),
    ("sqlite", "TEXT"),
])
def test_nx103_leaves_defaults_stored_once(server, definition):
    assert hits("NX103", add_column(server, definition), server=server) == []


def test_nx103_mariadb_in_place_algorithm_makes_a_copying_default_fail():
    [message] = hits("NX103", add_column("mysql", "CHAR(36) DEFAULT (UUID())",
                                         ", ALGORITHM=INSTANT"), server="mysql")
    assert message == ("adds post.c with DEFAULT (UUID()): MariaDB cannot add a column with "
                       "uuid() instantly: the stated ALGORITHM=INSTANT makes the statement "
                       "fail (only ALGORITHM=COPY can add it)")


def test_nx103_reads_each_added_column_whole():
    sql = ('ALTER TABLE "post" ADD COLUMN "a" NUMERIC DEFAULT round(1.5, 1), '
           'ADD COLUMN "b" UUID DEFAULT gen_random_uuid()')
    assert hits("NX103", sql) == [
        "adds post.b with DEFAULT gen_random_uuid(): gen_random_uuid() is volatile: "
        "PostgreSQL computes it for every existing row and rewrites the table while writes "
        "wait"]


def test_nx104_narrowing_from_the_sql_or_the_snapshot():
    narrowed = hits("NX104", 'ALTER TABLE "post" ALTER COLUMN "title" TYPE VARCHAR(40)',
                    before=POST)
    assert narrowed == ["narrows post.title from str(80) to str(40): values that do not fit "
                        "make it fail, or are cut"]
    assert hits("NX104", 'ALTER TABLE "post" ALTER COLUMN "title" TYPE VARCHAR(90)',
                before=POST) == []
    after = {"post": {**POST["post"], "columns": {**POST["post"]["columns"],
                                                  "title": {"type": "int"}}}}
    rebuild = ('CREATE TABLE "_nextorm_new_post" ("id" INTEGER, "title" INTEGER)',
               'ALTER TABLE "_nextorm_new_post" RENAME TO "post"')
    assert "narrows post.title from str(80) to int" in hits(
        "NX104", *rebuild, server="sqlite", before=POST, after=after)[0]


class Untouchable(dict):
    """A table the rule must not read: reading its columns fails the test."""

    def get(self, key, default=None):
        raise AssertionError(f"read {key!r} of a table the file did not change")

    def __getitem__(self, key):
        raise AssertionError(f"read {key!r} of a table the file did not change")


def test_nx104_compares_only_the_tables_the_file_changes():
    """makemigrations lints each file it writes: the snapshot's other tables (the same
    objects before and after, see ``lint.run.History``) are never walked."""
    others = {f"t{i}": Untouchable(columns={}) for i in range(50)}
    after = {**others, "post": {**POST["post"], "columns": {
        **POST["post"]["columns"], "title": {"type": "str", "max_len": 40}}}}
    before = {**others, **POST}
    rebuild = ('CREATE TABLE "_nextorm_new_post" ("id" INTEGER, "title" VARCHAR(40))',
               'ALTER TABLE "_nextorm_new_post" RENAME TO "post"')
    assert hits("NX104", *rebuild, server="sqlite", before=before, after=after) == [
        "narrows post.title from str(80) to str(40): values that do not fit make it fail, "
        "or are cut"]


def test_lint_files_reads_the_snapshot_it_is_given(tmp_path):
    """makemigrations passes the snapshot it has just written: the file is not read again
    (here it does not exist, which would be a note and no NX104)."""
    from nextorm.migrations.lint import lint_files
    from nextorm.migrations.loader import discover
    from nextorm.migrations.offline import OfflineDatabase
    from nextorm.schema.model import SCHEMA_FORMAT

    (tmp_path / "0001_narrow.py").write_text(
        "def upgrade(db):\n"
        "    db._execute_dml('ALTER TABLE \"post\" ALTER COLUMN \"title\" TYPE VARCHAR(40) "
        "USING \"title\"::VARCHAR(40)', [])\n")
    narrowed = {**POST["post"], "columns": {**POST["post"]["columns"],
                                            "title": {"type": "str", "max_len": 40}}}
    snapshot = {"format": SCHEMA_FORMAT, "tables": {"post": narrowed}, "migration": "0001_narrow.py",
                "history": [{"migration": "0001_narrow.py", "before": POST}]}
    db, files = OfflineDatabase("postgres"), discover(tmp_path)
    given = lint_files(db, tmp_path, files, connected=False, entities=False,
                       snapshot=snapshot)
    assert [f.code for f in given.findings] == ["NX101", "NX104"] and given.notes == []
    read = lint_files(db, tmp_path, files, connected=False, entities=False)
    assert any("the snapshot cannot be read" in note for note in read.notes)


def test_nx105_only_what_the_entities_still_map():
    entities = POST
    assert hits("NX105", 'ALTER TABLE "post" DROP COLUMN "body"', entities=entities)
    assert hits("NX105", 'ALTER TABLE "post" DROP COLUMN "gone"', entities=entities) == []
    assert hits("NX105", "DROP TABLE post", entities=entities)
    assert hits("NX105", "DROP TABLE tag", entities=entities) == []
    # A SQLite rebuild drops the old table and renames the new one into its place.
    assert hits("NX105", 'DROP TABLE "post"', 'ALTER TABLE "_nextorm_new_post" RENAME TO "post"',
                entities=entities, server="sqlite") == []
    assert hits("NX105", "DROP TABLE post") == []  # entities not read: nothing to compare


def test_nx106_renames_but_not_a_rebuilds_swap():
    assert "use expand/contract" in hits(
        "NX106", 'ALTER TABLE "post" RENAME COLUMN "title" TO "headline"')[0]
    assert hits("NX106", "RENAME TABLE `post` TO `article`", server="mysql")
    assert hits("NX106", "ALTER TABLE `post` CHANGE `title` `headline` VARCHAR(80)",
                server="mysql")
    assert hits("NX106", 'ALTER TABLE "_nextorm_new_post" RENAME TO "post"') == []


def test_nx107_uses_the_row_count_or_says_it_was_skipped():
    sql = 'CREATE INDEX "ix" ON "post" ("title")'
    big = view(sql, rows=lambda table: 11, threshold=10)
    assert [m for _, m in RULE["NX107"].check(big)] == [
        'builds index ix on post (over 10 rows) without CONCURRENTLY: writes to it wait until '
        'the index is built']
    assert hits("NX107", sql.replace("INDEX", "INDEX CONCURRENTLY"), rows=lambda t: 11,
                threshold=10) == []
    assert hits("NX107", sql, rows=lambda t: 10, threshold=10) == []
    unknown = view(sql)
    assert list(RULE["NX107"].check(unknown)) == []
    assert unknown.notes == ["0002_x.py: NX107 skipped for index ix on post: table sizes are "
                             "unknown (not connected)"]


def test_nx108_not_null_needs_the_safe_pattern():
    set_not_null = 'ALTER TABLE "post" ALTER COLUMN "body" SET NOT NULL'
    assert hits("NX108", set_not_null)
    assert hits("NX108", 'ALTER TABLE "post" ADD CONSTRAINT "c" CHECK ("body" IS NOT NULL) '
                         "NOT VALID", 'ALTER TABLE "post" VALIDATE CONSTRAINT "c"',
                set_not_null) == []
    assert hits("NX108", 'ALTER TABLE "post" ADD COLUMN "x" INTEGER NOT NULL')
    assert hits("NX108", 'ALTER TABLE "post" ADD COLUMN "x" INTEGER NOT NULL DEFAULT 0') == []
    assert hits("NX108", "ALTER TABLE `post` MODIFY COLUMN `body` TEXT NOT NULL",
                server="mysql", before=POST)


def test_silences_apply_to_the_next_statement_or_the_file_and_need_a_reason():
    text = ("# nextorm-lint: ignore NX101 -- the table is tiny\n"
            "def upgrade(db):\n"
            "    # nextorm-lint: ignore NX106, NX105 -- no app runs this yet\n"
            "    db.execute('ALTER TABLE a RENAME TO b')\n"
            "    db.execute('DROP TABLE c')  # nextorm-lint: ignore NX105\n")
    whole, statement, trailing = read_silences(text)
    assert (whole.target, whole.codes, whole.covers("NX101", 99)) == (None, ("NX101",), True)
    assert statement.target == 4 and statement.codes == ("NX106", "NX105")
    assert statement.covers("NX106", 4) and not statement.covers("NX106", 5)
    assert trailing.target == 5 and trailing.reason == ""
    assert not trailing.covers("NX105", 5)  # no reason, no silence


def test_migrate_does_not_import_the_lint():
    """The lint is tooling: nothing ``runner`` imports at module level reaches it."""
    package = Path(__file__).resolve().parents[2] / "nextorm"
    seen, todo = set(), ["nextorm.migrations.runner"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = package.parent / (name.replace(".", "/") + ".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
            if not path.exists():
                continue
        base = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom):
                parts = base.split(".")
                root = ".".join(parts[:len(parts) - node.level + 1]) if node.level else ""
                module = ".".join(p for p in (root, node.module or "") if p)
                todo.append(module)
                todo.extend(f"{module}.{alias.name}" for alias in node.names)
    assert not any(name.startswith("nextorm.migrations.lint") for name in seen), seen
    assert "nextorm.migrations.history" in seen  # the walk does follow the imports
