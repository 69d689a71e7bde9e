"""The SQL pieces the data checks are written with (``conversions.py``, ``checks.py``).

``Dialect`` inherits ``CheckSql``.  Most pieces are one SQL template a server may replace
(``{}`` stands for the expression), so a server states what differs as data, not as another
copy of the method.
"""

from __future__ import annotations


class CheckSql:
    """Regex matches, lengths, casts and rounding as each server writes them."""

    #: Smallest and largest value of the ``int`` column type.
    int_range: tuple[int, int] = (-2147483648, 2147483647)
    #: The length of a text in characters (not bytes).
    char_length_sql: str = "CHAR_LENGTH({})"
    #: The text form this server gives a value when it becomes a string.
    as_text_sql: str = "CAST({} AS TEXT)"
    #: An exact number from a text that matched a number pattern.
    as_number_sql: str = "CAST({} AS NUMERIC)"
    #: A number without its fraction (towards zero).
    whole_part_sql: str = "TRUNC({})"
    #: True when a datetime has no time of day.
    is_midnight_sql: str = "CAST({} AS TIME) = '00:00:00'"

    def string_literal(self, text: str) -> str:  # Dialect's: quoting belongs to the dialect
        raise NotImplementedError

    def regex_match(self, expr: str, pattern: str) -> str:
        """SQL true when the text ``expr`` matches ``pattern`` (anchored with ``^...$``)."""
        return f"{expr} REGEXP {self.string_literal(pattern)}"

    def when_matches(self, expr: str, pattern: str, then: str) -> str:
        """SQL for ``then`` when ``expr`` matches ``pattern``, else false; ``then`` may cast."""
        return f"CASE WHEN {self.regex_match(expr, pattern)} THEN {then} ELSE FALSE END"

    def char_length(self, text: str) -> str:
        """SQL for the length of the text ``text`` in characters (not bytes)."""
        return self.char_length_sql.format(text)

    def as_text(self, expr: str) -> str:
        """SQL for the text form this server gives a value when it becomes a string."""
        return self.as_text_sql.format(expr)

    def as_number(self, expr: str) -> str:
        """SQL for an exact number from a text that matched a number pattern."""
        return self.as_number_sql.format(expr)

    def whole_part(self, expr: str) -> str:
        """SQL for a number without its fraction (towards zero)."""
        return self.whole_part_sql.format(expr)

    def rounded(self, expr: str, places: int) -> str:
        """SQL for a number rounded to ``places`` decimal places."""
        return f"ROUND({expr}, {places})"

    def is_midnight(self, expr: str) -> str:
        """SQL true when the datetime ``expr`` has no time of day."""
        return self.is_midnight_sql.format(expr)

    def json_valid(self, expr: str) -> str | None:
        """SQL true when the text ``expr`` is JSON; None when the server cannot test it."""
        return f"JSON_VALID({expr})"
