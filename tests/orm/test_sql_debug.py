"""SQL debugging: printing, capturing, statistics, on the three servers."""

from __future__ import annotations

import pytest

import nextorm
from nextorm import (
    CapturedQuery,
    Entity,
    QueryStat,
    Req,
    capture_sql,
    clear_global_stats,
    db_session,
    set_sql_debug,
    sql_debugging,
)
from nextorm.debug import WATCH


@pytest.fixture(autouse=True)
def debugging_off():
    set_sql_debug(False, show_values=False)  # also before: a docs example may have left it on
    yield
    set_sql_debug(False, show_values=False)


@pytest.fixture
def notes(make_db):
    class Note(Entity):
        text: Req[str]

    return make_db([Note], create_tables=True), Note


def test_set_sql_debug_prints_statements_and_values_only_when_asked(db, capsys):
    set_sql_debug(True)
    db.execute("SELECT ? + 1", 41)
    out = capsys.readouterr().out
    assert ">>> SELECT ? + 1" in out and "41" not in out
    set_sql_debug(True, show_values=True)
    db.execute("SELECT ? + 1", 41)
    assert "params: [41]" in capsys.readouterr().out
    set_sql_debug(False)
    db.execute("SELECT 2")
    assert capsys.readouterr().out == ""
    assert not WATCH.on  # the execution path is back to one attribute test


def test_sql_debugging_restores_the_previous_state(db, capsys):
    with pytest.raises(ZeroDivisionError):
        with sql_debugging():
            db.execute("SELECT 3")
            1 / 0  # noqa: B018
    assert ">>> SELECT 3" in capsys.readouterr().out
    db.execute("SELECT 4")
    assert capsys.readouterr().out == ""
    set_sql_debug(True)
    with sql_debugging(False):
        db.execute("SELECT 5")
    db.execute("SELECT 6")
    out = capsys.readouterr().out
    assert "SELECT 5" not in out and "SELECT 6" in out


def test_capture_sql_collects_each_level_into_its_own_list(notes):
    db, Note = notes
    with capture_sql() as outer:
        db.execute("SELECT 1")
        with capture_sql() as inner:
            with db_session(db):
                Note(text="n")
        db.execute("SELECT ?", 2)
    assert [q.sql for q in outer] == ["SELECT 1", "SELECT ?"]
    assert outer[1] == CapturedQuery("SELECT ?", [2])
    assert any(q.sql.startswith("INSERT") and q.params == ["n"] for q in inner)
    assert not WATCH.on


def test_local_and_global_stats(db):
    clear_global_stats()
    for _ in range(3):
        db.execute("SELECT ? * 2", 21)
    local = db.local_stats["SELECT ? * 2"]
    assert local.count == 3 and local.min_time <= local.avg_time <= local.max_time
    assert local.sum_time == pytest.approx(local.avg_time * 3)
    db.local_stats["SELECT ? * 2"].count = 99  # a copy: the database's stays
    assert db.local_stats["SELECT ? * 2"].count == 3
    assert "SELECT ? * 2" not in nextorm.global_stats
    db.merge_local_stats()
    assert nextorm.global_stats["SELECT ? * 2"].count == 3 and db.local_stats == {}
    db.execute("SELECT ? * 2", 21)
    db.close()  # merges too
    assert nextorm.global_stats["SELECT ? * 2"].count == 4
    assert nextorm.global_stats["SELECT ? * 2"].sum_time >= local.sum_time
    clear_global_stats()
    assert "SELECT ? * 2" not in nextorm.global_stats
    db.execute("SELECT 1")
    db.clear_local_stats()
    assert db.local_stats == {}
    assert QueryStat().avg_time == 0.0 and QueryStat().min_time == float("inf")


def test_last_sql_names_the_statement_that_failed(db):
    with pytest.raises(nextorm.SQLError):
        db.execute("SELECT * FROM no_such_table")
    assert db.last_sql == "SELECT * FROM no_such_table"
