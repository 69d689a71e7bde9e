"""Which column values convert to a new type: the same rules on every server.

Changing a column's type is safe only when every value converts, and the servers disagree on
what converts: SQLite keeps ``'hello'`` as text in an INTEGER column, PostgreSQL's
``USING col::VARCHAR(80)`` cuts longer values without a word, MariaDB outside strict mode
turns ``'hello'`` into 0.  So NextORM decides, per pair of logical types, which values
convert, and a migration counts the values that do not before it changes anything
(``checks.py``):

- text to a number, boolean, date, time or UUID: the text must spell one (``'12'``,
  ``'1.5e3'``, ``'0'``/``'1'``, ``'2024-01-31'``...) that fits the new column;
- to a narrower ``str``: no value, as text, may be longer than the new ``max_len``;
- a number to ``int`` or to a ``decimal`` with fewer places: nothing may be rounded away, and
  the value must fit; to ``bool``: only 0 and 1;
- ``datetime`` to ``date``: only values at midnight;
- widening (``int`` to ``float``, a longer ``str``, ``date`` to ``datetime``...) needs no check;
- to an ``unsigned`` int: no value below 0; from one to a signed int: the value must fit (a
  MariaDB ``INT UNSIGNED`` holds up to 4294967295);
- a ``Vec`` of other dimensions: no vector of another length (a vector cannot be padded or
  cut to a new length, so a table holding vectors keeps its dimensions);
- any other pair has no conversion: only NULLs convert.

A rule is written once, as a predicate over the dialect's SQL pieces (``regex_match``,
``char_length``, ``whole_part``...), and each server spells those pieces its own way.

Rendering any operation imports this module (``create_tables`` at an app's start too), so
``Conversion`` is a plain class, not a dataclass (``dataclasses`` pulls in ``inspect``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: SQL that is true when the value ``expr`` converts, spelled by ``dialect``; None when the
#: server has no way to test it (it then refuses a bad value itself, in one statement).
Predicate = Callable[[Any, str], "str | None"]

INT_TEXT = "^[+-]?[0-9]+$"
NUMBER_TEXT = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
DECIMAL_TEXT = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
_DATE = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?"
#: Target type -> (the text a value must match, that text in words).
TEXT_FORMS = {
    "float": (NUMBER_TEXT, "a number"),
    "bool": ("^[01]$", "'0' or '1'"),
    "date": (f"^{_DATE}$", "a date (YYYY-MM-DD)"),
    "datetime": (f"^{_DATE}[ T]{_TIME}$", "a date and time (YYYY-MM-DD HH:MM:SS)"),
    "time": (f"^{_TIME}$", "a time of day (HH:MM:SS)"),
    "uuid": ("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
             "a UUID"),
}
NUMBERS = frozenset({"int", "float", "decimal", "bool"})
#: Pairs of different types whose every value converts (a decimal as a double keeps about 15
#: significant digits, what SQLite keeps of a decimal anyway).
WIDENING = frozenset({("int", "float"), ("decimal", "float"), ("bool", "int"), ("bool", "float"),
                      ("date", "datetime")})


class Conversion:
    """What changing a column's type does to its values (read only, never changed).

    ``converts`` is None when every value converts (nothing to check).  ``problem`` says what
    the values that do not convert are like, ``fix`` what the user can do about them, and
    ``loss`` (when not empty) what the server would silently destroy without the check.
    ``exists`` is False for a pair with no conversion, where only NULLs convert.
    """

    __slots__ = ("converts", "exists", "fix", "loss", "problem")

    def __init__(self, converts: Predicate | None, problem: str = "", fix: str = "",
                 loss: str = "", exists: bool = True) -> None:
        self.converts, self.problem, self.fix, self.loss, self.exists = (
            converts, problem, fix, loss, exists)

    def __repr__(self) -> str:
        return f"Conversion({self.problem or 'lossless'!r})"


LOSSLESS = Conversion(None)


def conversion(old: dict[str, Any], new: dict[str, Any]) -> Conversion:
    """Return the rule for changing a column from definition ``old`` to ``new``."""
    source, target = old["type"], new["type"]
    if source == target == "vector" and old.get("dimensions") != new.get("dimensions"):
        return _resized_vector(new)
    if source == target == "int" and not changes_type(old, new):
        return _signedness(old, new)
    if not changes_type(old, new) or (source, target) in WIDENING:
        return LOSSLESS
    if target == "str":
        return _to_text(old, new)
    if source == "str":
        return _from_text(new)
    if source in NUMBERS and target in NUMBERS:
        return _between_numbers(old, new)
    if (source, target) == ("datetime", "date"):
        return Conversion(lambda d, e: d.is_midnight(e), "have a time of day other than midnight",
                          "set their time to midnight first, or keep datetime",
                          "the time of day would be dropped")
    return _no_conversion(f"hold values, and {source} cannot become {target}")


def changes_type(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True if the logical type or one of its parameters differs (nullability aside)."""
    return any(old.get(k) != new.get(k) for k in ("type", "max_len", "precision", "scale"))


def type_words(col: dict[str, Any]) -> str:
    """Return a column type in the user's words: ``str(80)``, ``decimal(10,2)``, ``int``."""
    if col["type"] == "str" and col.get("max_len"):
        return f"str({col['max_len']})"
    if col["type"] == "decimal":
        return f"decimal({col['precision']},{col['scale']})"
    if col["type"] == "vector":
        return f"Vec[{col.get('dimensions')}]"
    if col["type"] == "int" and col.get("unsigned"):
        return "unsigned int"
    return str(col["type"])


def int_bounds(dialect: Any, col: dict[str, Any]) -> tuple[int, int]:
    """The smallest and largest value an int column holds on every server: 0 when unsigned,
    the signed range of its ``size`` (else of the dialect's plain int) above."""
    low, high = dialect.int_range
    if col.get("size"):
        low, high = -(2 ** (col["size"] - 1)), 2 ** (col["size"] - 1) - 1
    return (0 if col.get("unsigned") else low), high


def _signedness(old: dict[str, Any], new: dict[str, Any]) -> Conversion:
    """An int column that becomes unsigned, or signed again (its size unchanged)."""
    if bool(old.get("unsigned")) == bool(new.get("unsigned")):
        return LOSSLESS
    if new.get("unsigned"):
        return Conversion(lambda d, e: f"{e} >= 0", "hold numbers below 0",
                          "make them 0 or more first, or keep the column signed")
    return Conversion(lambda d, e: f"{e} <= {int_bounds(d, new)[1]}",
                      "hold numbers too large for a signed int",
                      "make them smaller first, or keep the column unsigned")


def _resized_vector(new: dict[str, Any]) -> Conversion:
    """A ``Vec`` column of new dimensions: only vectors of the new length (and NULLs) fit."""
    size = int(new["dimensions"])
    return Conversion(lambda d, e: f"{d.vector_length(e)} = {size}",
                      f"hold vectors that are not {size} floats long",
                      "empty the column (or delete those rows) first, or add a new Vec column "
                      "and fill it")


def _no_conversion(problem: str) -> Conversion:
    return Conversion(lambda d, e: "FALSE", problem,
                      "empty the column first, or drop it and add a new one", exists=False)


def _to_text(old: dict[str, Any], new: dict[str, Any]) -> Conversion:
    if old["type"] == "bytes":
        return _no_conversion("hold bytes, which have no text form")
    limit = new.get("max_len")
    if limit is None or old["type"] == "bool":  # a boolean becomes '1' or '0' everywhere
        return LOSSLESS
    if old["type"] == "str" and old.get("max_len") and old["max_len"] <= limit:
        return LOSSLESS

    def fits(dialect: Any, expr: str) -> str:
        text = expr if old["type"] == "str" else dialect.as_text(expr)
        return f"{dialect.char_length(text)} <= {limit}"

    return Conversion(fits, f"are longer than {limit} characters",
                      f"shorten them first, or keep {type_words(old)}",
                      f"values longer than {limit} characters would be cut")


def _from_text(new: dict[str, Any]) -> Conversion:
    target, fix = new["type"], "fix or delete those rows first, or keep str"
    if target == "int":
        def whole(dialect: Any, expr: str) -> str:
            low, high = int_bounds(dialect, new)
            number = dialect.as_number(expr)
            return dialect.when_matches(expr, INT_TEXT, f"{number} BETWEEN {low} AND {high}")
        return Conversion(whole, "hold text that is not a whole number that fits int", fix)
    if target == "decimal":
        digits = _decimal_digits(new)
        return Conversion(
            lambda d, e: f"{d.regex_match(e, DECIMAL_TEXT)} AND {d.regex_match(e, digits)}",
            f"hold text that is not a number that fits {type_words(new)}", fix)
    if target == "json":
        return Conversion(lambda d, e: d.json_valid(e), "hold text that is not JSON", fix)
    if target in TEXT_FORMS:
        pattern, words = TEXT_FORMS[target]
        return Conversion(lambda d, e: d.regex_match(e, pattern), f"hold text that is not {words}",
                          fix)
    return _no_conversion(f"hold text, and text cannot become {target}")


def _decimal_digits(new: dict[str, Any]) -> str:
    """At most precision-scale digits before the point and scale after (zeros aside)."""
    whole, places = new["precision"] - new["scale"], new["scale"]
    return f"^[+-]?0*[0-9]{{0,{whole}}}([.][0-9]{{0,{places}}}0*)?$"


def _between_numbers(old: dict[str, Any], new: dict[str, Any]) -> Conversion:
    source, target = old["type"], new["type"]
    if target == "bool":
        return Conversion(lambda d, e: f"{e} IN (0, 1)", "hold numbers other than 0 and 1",
                          f"set them to 0 or 1 first, or keep {source}")
    if target == "int":
        def whole(dialect: Any, expr: str) -> str:
            low, high = int_bounds(dialect, new)
            return f"{dialect.whole_part(expr)} = {expr} AND {expr} BETWEEN {low} AND {high}"
        return Conversion(whole, "have a fraction or do not fit int",
                          f"round them first (UPDATE ... SET col = ROUND(col)), or keep {source}",
                          "fractions would be rounded away")
    return _to_decimal(old, new)


def _to_decimal(old: dict[str, Any], new: dict[str, Any]) -> Conversion:
    source, places = old["type"], new["scale"]
    whole = new["precision"] - places
    if source == "decimal" and old["precision"] - old["scale"] <= whole and old["scale"] <= places:
        return LOSSLESS
    if source == "bool":
        return LOSSLESS if whole > 0 else Conversion(
            lambda d, e: f"{e} = FALSE", f"are true, and 1 does not fit {type_words(new)}",
            "keep bool")
    limit = "1" + "0" * whole
    cuts_places = source == "float" or (source == "decimal" and old["scale"] > places)

    def fits(dialect: Any, expr: str) -> str:
        value = dialect.rounded(expr, places) if source == "float" else expr
        test = f"ABS({value}) < {limit}"
        if source == "decimal" and old["scale"] > places:
            test += f" AND {dialect.rounded(expr, places)} = {expr}"
        return test

    problem = (f"have more than {places} decimal places or do not fit {type_words(new)}"
               if source == "decimal" and old["scale"] > places
               else f"do not fit {type_words(new)}")
    loss = f"digits after {places} decimal places would be rounded away" if cuts_places else ""
    return Conversion(fits, problem, f"round or shorten them first, or keep {type_words(old)}",
                      loss)
