"""The rendered migration module for each operation on each dialect, compared with a file.

The files in ``tests/golden/<dialect>/`` are what a user reviews; a change to the templates or
the SQL shows here as a readable diff.  After an intended change, regenerate them with::

    NEXTORM_REGEN_GOLDEN=1 .venv/bin/pytest tests/unit/test_golden.py

then read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nextorm.migrations.diff import diff_schemas, reverse_operations
from nextorm.migrations.questioner import Questioner
from support.golden import CASES, render, render_multi_case

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
REGENERATE = bool(os.environ.get("NEXTORM_REGEN_GOLDEN"))

#: Cases rendered as with ``dialects = ["sqlite", "postgres", "mysql"]``: one file, a part
#: per server (tests/golden/multi/).
MULTI = ("add_column_with_default", "alter_column_type", "create_index_concurrently",
         "rename_column")


@pytest.mark.parametrize("case", MULTI)
def test_multi_server_module_matches_golden_file(case):
    compare(render_multi_case(case), GOLDEN / "multi" / f"{case}.py.golden")


@pytest.mark.parametrize("provider", ["sqlite", "postgres", "mysql"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_module_matches_golden_file(case, provider):
    compare(render(case, provider), GOLDEN / provider / f"{case}.py.golden")


def compare(source: str, path: Path) -> None:
    """The rendered source is the golden file (data, not code: kept out of lint)."""
    compile(source, str(path), "exec")  # a module a person can import
    before = path.read_text(encoding="utf-8") if path.is_file() else None
    if REGENERATE and source != before:  # written, and still reported: review the diff
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        pytest.fail(f"{path} {'written' if before is None else 'rewritten'}: review the diff")
    assert before is not None, f"{path} missing: run with NEXTORM_REGEN_GOLDEN=1"
    assert source == before, f"{path} differs (NEXTORM_REGEN_GOLDEN=1 rewrites it)"


def test_every_operation_kind_has_a_golden_case():
    from nextorm.schema import operations

    kinds = {type(op).__name__ for case in CASES for op in
             diff_schemas(CASES[case][0], CASES[case][1], Questioner(**CASES[case][2]))}
    kinds |= {type(op).__name__ for case in CASES for op in reverse_operations(
        diff_schemas(CASES[case][0], CASES[case][1], Questioner(**CASES[case][2])),
        CASES[case][1])}
    declared = {name for name, obj in vars(operations).items() if isinstance(obj, type)
                and issubclass(obj, operations.Operation)
                and obj not in (operations.Operation, operations.TableChange)}
    assert declared <= kinds
