"""Reading the statements a migration sends: which table, which column, which clause.

The lint works from the SQL text, so hand-written files are read like generated ones.  A
statement's shape says which server it is for (``ALTER COLUMN ... TYPE`` is PostgreSQL's,
``MODIFY COLUMN`` MariaDB's, a ``_nextorm_new_`` table SQLite's rebuild), so no rule asks
which server the project is bound to.

Each reader first checks the keyword its pattern needs (``statement.upper``): a pattern is
compiled only when a statement could match it, as most of them (built from ``IDENT``) cost
0.2-0.7 ms each to compile and a file rarely needs more than a few (makemigrations lints
every file it writes).
"""

from __future__ import annotations

import re

from ...records import Record

#: An identifier, quoted for any of the three servers or bare.
IDENT = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|[A-Za-z_][\w$]*)'
QUALIFIED = rf"{IDENT}(?:\s*\.\s*{IDENT})?"
#: The prefix of the new table of a SQLite rebuild (dialects/sqlite/rebuild.py).
REBUILD_PREFIX = "_nextorm_new_"


def unquote(name: str) -> str:
    """``"user"``, ```user```, ``public.user`` -> ``user`` (the last part, unquoted)."""
    last = re.split(rf"\s*\.\s*(?={IDENT}$)", name.strip())[-1]
    if last[:1] in ('"', "`") and last[-1:] == last[:1]:
        return last[1:-1].replace(last[0] * 2, last[0])
    if last[:1] == "[":
        return last[1:-1]
    return last


def flat(sql: str) -> str:
    """One line, single spaces: what the patterns match against."""
    return " ".join(sql.split())


class Statement(Record):
    """One collected write statement of a migration, with where it came from.

    (Its flat text is computed once: every rule reads it, several times.)
    """

    __slots__ = ("index", "sql", "line", "text", "upper")
    _fields = ("index", "sql", "line")

    def __init__(self, index: int, sql: str, line: int | None) -> None:
        self.index = index  # 1-based, among the statements the file sends
        self.sql = sql
        self.line = line
        #: One line, single spaces: what the patterns match against.
        self.text = flat(sql)
        #: ``text`` in capitals: the keyword checks that spare a pattern its compilation
        #: (with the two letters IGNORECASE matches that ``upper()`` leaves alone).
        self.upper = self.text.upper().replace("\u0130", "I").replace("\u212a", "K")

    def short(self, limit: int = 70) -> str:
        text = self.text
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def search(self, pattern: str) -> re.Match[str] | None:
        return re.search(pattern, self.text, re.IGNORECASE)

    def has(self, *words: str) -> bool:
        return all(w.upper() in self.upper and re.search(rf"\b{w}\b", self.text, re.IGNORECASE)
                   for w in words)


_ALTER = rf"^ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?(?P<table>{QUALIFIED})\s+"


def altered_table(stmt: Statement) -> str | None:
    if not stmt.upper.startswith("ALTER"):
        return None
    match = stmt.search(_ALTER)
    return unquote(match.group("table")) if match else None


def created_table(stmt: Statement) -> str | None:
    if not stmt.upper.startswith("CREATE"):
        return None
    match = stmt.search(rf"^CREATE\s+(?:TEMP\w*\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                        rf"(?P<table>{QUALIFIED})")
    return unquote(match.group("table")) if match else None


def dropped_table(stmt: Statement) -> str | None:
    if not stmt.upper.startswith("DROP"):
        return None
    match = stmt.search(rf"^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?P<table>{QUALIFIED})")
    return unquote(match.group("table")) if match else None


def renamed_table(stmt: Statement) -> tuple[str, str] | None:
    """``ALTER TABLE a RENAME TO b`` or MariaDB's ``RENAME TABLE a TO b``."""
    if "RENAME" not in stmt.upper:
        return None
    match = (stmt.search(rf"{_ALTER}RENAME\s+(?:TO|AS)\s+(?P<new>{QUALIFIED})\s*$")
             or stmt.search(rf"^RENAME\s+TABLE\s+(?P<table>{QUALIFIED})\s+TO\s+"
                            rf"(?P<new>{QUALIFIED})"))
    return (unquote(match.group("table")), unquote(match.group("new"))) if match else None


def renamed_column(stmt: Statement) -> tuple[str, str, str] | None:
    """``RENAME COLUMN a TO b`` or MariaDB's ``CHANGE [COLUMN] a b ...`` with a new name."""
    renames, changes = "RENAME" in stmt.upper, "CHANGE" in stmt.upper
    table = altered_table(stmt) if renames or changes else None
    if table is None:
        return None
    match = stmt.search(rf"\bRENAME\s+(?:COLUMN\s+)?(?P<old>{IDENT})\s+TO\s+(?P<new>{IDENT})"
                        ) if renames else None
    if match is None and changes:
        match = stmt.search(rf"\bCHANGE\s+(?:COLUMN\s+)?(?P<old>{IDENT})\s+(?P<new>{IDENT})")
    if match is None or unquote(match.group("old")) == unquote(match.group("new")):
        return None
    return table, unquote(match.group("old")), unquote(match.group("new"))


def dropped_columns(stmt: Statement) -> list[str]:
    if "DROP" not in stmt.upper or altered_table(stmt) is None:
        return []
    return [unquote(m.group(1)) for m in re.finditer(
        rf"\bDROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(?!CONSTRAINT\b|INDEX\b|KEY\b|PRIMARY\b"
        rf"|FOREIGN\b|DEFAULT\b|NOT\b|CHECK\b|UNIQUE\b)({IDENT})", stmt.text, re.IGNORECASE)]


def added_columns(stmt: Statement) -> list[tuple[str, str]]:
    """``ADD [COLUMN] name definition`` clauses: (name, the definition up to the next clause,
    which starts at a comma outside parentheses and quotes: ``DEFAULT round(x, 2)`` is whole)."""
    if "ADD" not in stmt.upper or altered_table(stmt) is None:
        return []
    found = []
    for match in re.finditer(
            rf"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?!CONSTRAINT\b|INDEX\b|KEY\b"
            rf"|PRIMARY\b|FOREIGN\b|UNIQUE\b|CHECK\b)(?P<name>{IDENT})\s+",
            stmt.text, re.IGNORECASE):
        found.append((unquote(match.group("name")), _clause(stmt.text, match.end())))
    return found


#: A quoted string or identifier, a parenthesis, a comma, or a run of anything else.
_TOKEN = r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|[(),]|[^'"`(),]+"""


def _clause(text: str, start: int) -> str:
    """``text`` from ``start`` to the first comma outside parentheses and quotes."""
    depth = 0
    for token in re.compile(_TOKEN).finditer(text, start):  # (compiled once, by re's cache)
        depth += {"(": 1, ")": -1}.get(token.group(), 0)
        if token.group() == "," and depth <= 0:
            return text[start:token.start()]
    return text[start:]


def type_change(stmt: Statement) -> tuple[str, str, str] | None:
    """(table, column, new type) of PostgreSQL's ``ALTER COLUMN c TYPE t`` or MariaDB's
    ``MODIFY [COLUMN] c t ...`` / ``CHANGE [COLUMN] c c t ...``."""
    upper = stmt.upper
    table = altered_table(stmt) if ("TYPE" in upper or "MODIFY" in upper
                                    or "CHANGE" in upper) else None
    if table is None:
        return None
    match = stmt.search(rf"\bALTER\s+(?:COLUMN\s+)?(?P<col>{IDENT})\s+(?:SET\s+DATA\s+)?TYPE\s+"
                        r"(?P<type>[\w ]+?(?:\([\d, ]+\))?)(?=\s+USING\b|\s+COLLATE\b|\s*,|\s*$)"
                        ) if "TYPE" in upper else None
    if match is None and "MODIFY" in upper:
        match = stmt.search(rf"\bMODIFY\s+(?:COLUMN\s+)?(?P<col>{IDENT})\s+"
                            r"(?P<type>\w+(?:\s+\w+)?(?:\([\d, ]+\))?)")
    if match is None and "CHANGE" in upper:
        match = stmt.search(rf"\bCHANGE\s+(?:COLUMN\s+)?{IDENT}\s+(?P<col>{IDENT})\s+"
                            r"(?P<type>\w+(?:\([\d, ]+\))?)")
    if match is None:
        return None
    kind = re.sub(r"\s+(NOT|NULL|DEFAULT|AUTO_INCREMENT|PRIMARY|UNSIGNED)\b.*$", "",
                  match.group("type"), flags=re.IGNORECASE)
    return table, unquote(match.group("col")), kind.strip()


def created_index(stmt: Statement) -> tuple[str, str] | None:
    """(index, table) of ``CREATE [UNIQUE] INDEX``."""
    if not stmt.upper.startswith("CREATE") or "INDEX" not in stmt.upper:
        return None
    match = stmt.search(rf"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?"
                        rf"(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{IDENT})?\s*ON\s+(?:ONLY\s+)?"
                        rf"(?P<table>{QUALIFIED})")
    if match is None:
        return None
    return unquote(match.group("name") or "(unnamed)"), unquote(match.group("table"))
