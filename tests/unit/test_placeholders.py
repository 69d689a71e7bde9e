"""`?` placeholders become `%s` for psycopg/PyMySQL, never inside literals or comments."""

from nextorm.sqlparams import to_format_style


def test_placeholders_outside_literals_become_format_style():
    assert to_format_style("SELECT * FROM t WHERE a = ? AND b = ?") == (
        "SELECT * FROM t WHERE a = %s AND b = %s"
    )


def test_question_marks_inside_strings_identifiers_and_comments_stay():
    sql = "SELECT 'why?', \"col?\" FROM t -- really?\nWHERE a = ? /* ok? */"
    assert to_format_style(sql) == (
        "SELECT 'why?', \"col?\" FROM t -- really?\nWHERE a = %s /* ok? */"
    )


def test_percent_signs_are_escaped_everywhere():
    assert to_format_style("SELECT '100%' WHERE a LIKE ? AND b % 2 = 0") == (
        "SELECT '100%%' WHERE a LIKE %s AND b %% 2 = 0"
    )


def test_doubled_quote_does_not_end_a_literal():
    assert to_format_style("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


def test_backslash_escapes_only_when_the_server_reads_them():
    sql = "SELECT 'a\\'?', ?"
    assert to_format_style(sql, backslash_escapes=True) == "SELECT 'a\\'?', %s"
    # PostgreSQL: the backslash is an ordinary character, so the literal ends at the quote.
    assert to_format_style("SELECT 'a\\', ?") == "SELECT 'a\\', %s"
