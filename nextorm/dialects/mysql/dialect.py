"""MariaDB and MySQL through PyMySQL.

DDL commits implicitly here (``transactional_ddl = False``): the migration runner records
progress instead of relying on a rollback.  Tables use InnoDB and a binary utf8mb4 collation so
string comparison is case-sensitive, and every session is strict (``STRICT_TRANS_TABLES``) so a
value that does not fit is refused instead of changed, as on the other servers.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import BindError
from ..base import Dialect
from ..vectors import AGGREGATES

#: Make this session strict, keeping the server's other modes: outside strict mode MariaDB
#: stores ``'hello'`` in an INT column as 0 and cuts a string too long for its column, where
#: the other servers refuse the statement.
STRICT_MODE = ("SET SESSION sql_mode = IF(FIND_IN_SET('STRICT_TRANS_TABLES', @@SESSION.sql_mode), "
               "@@SESSION.sql_mode, CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), "
               "'STRICT_TRANS_TABLES'))")


#: The algorithms stated on existing tables: no table copy, writes go on.
INSTANT, IN_PLACE = "ALGORITHM=INSTANT", "ALGORITHM=INPLACE, LOCK=NONE"

#: Logical types stored as another type's column, with a ``nextorm:<type>`` comment.
MARKED_TYPES = ("datetimetz", "timedelta")


class MySQLDialect(Dialect):
    name = "mysql"
    transactional_ddl = False
    supports_alter_column = True
    quote_char = "`"
    backslash_escapes = True
    no_limit_sql = "18446744073709551615"
    random_sql = "RAND()"

    def insert_defaults_sql(self, table: str) -> str:
        return f"INSERT INTO {table} () VALUES ()"

    # A batch is a multi-row INSERT: under innodb_autoinc_lock_mode 0 or 1 InnoDB gives the
    # rows of such a "simple insert" consecutive keys (steps of auto_increment_increment), in
    # the order of its VALUES, the first one reported as LAST_INSERT_ID(); mode 2 ("interleaved")
    # does not, and orm/batch.py then writes row by row.
    batch_keys = "first"
    batch_keys_sql = "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment"
    max_identifier_length = 64
    type_names = {
        "int": "INT",
        "float": "DOUBLE",
        "bool": "BOOLEAN",
        "bytes": "LONGBLOB",
        "decimal": "DECIMAL",
        "datetime": "DATETIME(6)",
        "date": "DATE",
        "time": "TIME(6)",
        "uuid": "CHAR(36)",
        "json": "JSON",
        "datetimetz": "DATETIME(6)",
        "timedelta": "BIGINT",
    }
    value_forms = {"bool": "int", "time": "timedelta", "timedelta": "micros",
                   "datetimetz": "naive_utc", "uuid": "text", "json": "text", "vector": "text"}

    def declared_type(self, col: dict[str, Any]) -> str:
        # MariaDB has no type of their own for these: a comment tells them apart from the
        # datetime, int and text columns they are stored as (``introspect.py`` reads it back).
        marked = f" COMMENT 'nextorm:{col['type']}'" if col["type"] in MARKED_TYPES else ""
        if col["type"] == "vector" and not col.get("sql_type"):
            marked = f" COMMENT 'nextorm:vector({int(col['dimensions'])})'"
        return self.column_type(col) + marked

    def vector_type(self, dimensions: int) -> str:
        return "LONGTEXT"  # a JSON array (MariaDB 10.11 has no VECTOR type)

    def distance_sql(self, kind: str, column: str, vector: str) -> str:
        # The two JSON arrays as rows, paired by position.
        rows = "'$[*]' COLUMNS (i FOR ORDINALITY, {} DOUBLE PATH '$')"
        return (f"(SELECT {AGGREGATES[kind]} FROM JSON_TABLE({column}, {rows.format('a')}) x "
                f"JOIN JSON_TABLE({vector}, {rows.format('b')}) y ON x.i = y.i)")

    def vector_length(self, expr: str) -> str:
        return f"JSON_LENGTH({expr})"

    def str_type(self, max_len: int | None) -> str:
        return f"VARCHAR({max_len})" if max_len else "LONGTEXT"

    def auto_pk_clause(self) -> str:
        return "NOT NULL AUTO_INCREMENT PRIMARY KEY"

    def table_options(self) -> str:
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

    def render_drop_index(self, op: Any) -> list[str]:
        return [f"DROP INDEX {self.quote(op.name)} ON {self.quote(op.table)}"]

    # -- online DDL on existing tables: state the algorithm MariaDB 10.11 can keep to, so a
    # statement that would copy the table fails instead (dialects/online.py).  Type changes
    # and foreign keys (a copy while foreign_key_checks is on) are left without: lint warns.

    def _online(self, op: Any, stmts: list[Any], clause: str, sep: str = ", ") -> list[Any]:
        if op.table not in self.online_tables:
            return stmts
        return [s + sep + clause if isinstance(s, str) and s.startswith(("ALTER", "CREATE"))
                else s for s in stmts]

    def render_add_column(self, op: Any) -> list[Any]:
        return self._online(op, super().render_add_column(op), INSTANT)

    def render_drop_column(self, op: Any) -> list[Any]:
        return self._online(op, super().render_drop_column(op), IN_PLACE)

    def render_rename_column(self, op: Any) -> list[Any]:
        return self._online(op, super().render_rename_column(op), INSTANT)

    def render_create_index(self, op: Any) -> list[str]:
        return self._online(op, super().render_create_index(op), IN_PLACE.replace(",", ""), " ")

    def render_add_unique(self, op: Any) -> list[Any]:
        return self._online(op, super().render_add_unique(op), IN_PLACE)

    def render_drop_foreign_key(self, op: Any) -> list[str]:
        drop = f"ALTER TABLE {self.quote(op.table)} DROP FOREIGN KEY {self.quote(op.name)}"
        return self._online(op, [drop], INSTANT)

    def lock_timeout_sql(self, seconds: float) -> list[str]:
        # Whole seconds only; a DDL statement waits this long for its metadata lock.
        return [f"SET SESSION lock_wait_timeout = {max(1, math.ceil(seconds))}"]

    def reset_lock_timeout_sql(self) -> list[str]:
        return ["SET SESSION lock_wait_timeout = DEFAULT"]

    def is_lock_timeout(self, error: BaseException) -> bool:
        return bool(getattr(error, "args", None)) and error.args[0] == 1205

    def lock_blockers(self, db: Any, sql: str) -> str:
        return str(self._module("online").lock_blockers(db, sql))

    def string_literal(self, text: str) -> str:
        # Backslash is an escape character in MariaDB string literals (unless
        # NO_BACKSLASH_ESCAPES), so it is doubled as well as the quote.
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"

    # -- SQL pieces of the data checks ----------------------------------------------------

    as_text_sql = "CAST({} AS CHAR)"
    as_number_sql = "CAST({} AS DECIMAL(65,30))"
    whole_part_sql = "TRUNCATE({}, 0)"

    def render_alter_column(self, op: Any) -> list[Any]:
        modify = f"ALTER TABLE {self.quote(op.table)} MODIFY COLUMN "
        stmts: list[Any] = []
        if op.sets_not_null and op.backfill is not None:
            if self.column_type(op.old) != self.column_type(op.new):
                # The new type first (still NULL-able), so the value fits the column.
                stmts.append(modify + self.column_sql(op.column, {**op.new, "nullable": True}))
            stmts.append(self.backfill_statement(op.table, op.column, op.backfill))
        final = modify + self.column_sql(op.column, op.new)
        same_type = self.column_type(op.old) == self.column_type(op.new)
        stmts += self._online(op, [final], IN_PLACE) if same_type else [final]
        return stmts

    def render_drop_unique(self, op: Any) -> list[Any]:
        drop = f"ALTER TABLE {self.quote(op.table)} DROP INDEX {self.quote(op.name)}"
        return self._online(op, [drop], IN_PLACE)

    def render_alter_primary_key(self, op: Any) -> list[Any]:
        parts = []
        if op.old_columns:
            parts.append("DROP PRIMARY KEY")
        if op.new_columns:
            parts.append(f"ADD PRIMARY KEY ({self.quote_list(op.new_columns)})")
        return [f"ALTER TABLE {self.quote(op.table)} " + ", ".join(parts)]

    #: Server errors a DDL statement gives when its effect is already there (table exists,
    #: duplicate column or key, unknown column/table/key to drop or rename).
    ALREADY_DONE_ERRORS = frozenset({1050, 1051, 1054, 1060, 1061, 1068, 1091, 1146, 1826})

    def effect_already_present(self, error: BaseException) -> bool:
        cause = error.__cause__
        code = cause.args[0] if cause is not None and cause.args else None
        return code in self.ALREADY_DONE_ERRORS


    def connect(self, *args: Any, **kwargs: Any) -> Any:
        try:
            from .driver import Connection  # PyMySQL's, sharing its default TLS context
        except ModuleNotFoundError as exc:
            if exc.name != "pymysql":
                raise
            raise BindError("provider 'mysql' needs PyMySQL: pip install 'nextorm[mysql]'") from None
        if args:
            if len(args) > 1 or not isinstance(args[0], str):
                raise BindError("bind('mysql', ...) takes one URL or PyMySQL keyword arguments")
            kwargs = {**parse_mysql_url(args[0]), **kwargs}
        kwargs.setdefault("charset", "utf8mb4")
        # FOUND_ROWS: an UPDATE's rowcount counts the rows it matched, as on the other servers
        # (the optimistic check reads it), not only those whose values changed.
        from pymysql.constants import CLIENT

        kwargs["client_flag"] = kwargs.get("client_flag", 0) | CLIENT.FOUND_ROWS
        conn = Connection(autocommit=True, **kwargs)
        with conn.cursor() as cursor:
            cursor.execute(STRICT_MODE)
        return conn

    def begin_session_sql(self, immediate: bool, serializable: bool) -> tuple[str, ...]:
        # The level must be set before the transaction starts; a consistent snapshot is
        # InnoDB's way of starting a transaction's reads at once.
        begin = "START TRANSACTION WITH CONSISTENT SNAPSHOT" if immediate else "BEGIN"
        if serializable:
            return ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", begin)
        return (begin,)

    def is_constraint_error(self, exc: BaseException) -> bool:
        # ER_CONSTRAINT_FAILED (a CHECK): PyMySQL raises it as an OperationalError
        return bool(getattr(exc, "args", None)) and exc.args[0] == 4025

    def is_transient_error(self, exc: BaseException) -> bool:
        # ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
        return bool(getattr(exc, "args", None)) and exc.args[0] in (1213, 1205)

    driver_module = "pymysql"
    current_schema_sql = "DATABASE()"


def parse_mysql_url(url: str) -> dict[str, Any]:
    """Turn ``mysql://user:pw@host:3306/db`` into PyMySQL keyword arguments (``urllib.parse``
    is imported here: a bind with keyword arguments does not need it)."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme not in ("mysql", "mariadb", "mysql+pymysql"):
        raise BindError(f"not a mysql:// URL: {url!r}")
    kwargs: dict[str, Any] = {"host": parsed.hostname or "localhost", "port": parsed.port or 3306}
    if parsed.username:
        kwargs["user"] = unquote(parsed.username)
    if parsed.password:
        kwargs["password"] = unquote(parsed.password)
    if parsed.path.strip("/"):
        kwargs["database"] = unquote(parsed.path.strip("/"))
    return kwargs
