"""The slotted records that replaced dataclasses keep what the dataclasses promised.

``MigrationStatus`` (public: ``showmigrations`` returns it) and ``Composite`` (declared in class
bodies) were frozen dataclasses: they cannot be changed, and copy, deepcopy and pickle work.
"""

from __future__ import annotations

import copy
import pickle

import pytest

from nextorm.fields import Composite
from nextorm.migrations.runner import MigrationStatus

RECORDS = [MigrationStatus("0001_initial.py", "0001_initial", True, "2026-11-28 10:00:00",
                           "applied"),
           Composite("key", ("first", "last"), "person_name")]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_record_copies_and_pickles_equal(record: object) -> None:
    for made in (copy.copy(record), copy.deepcopy(record), pickle.loads(pickle.dumps(record))):
        assert made == record and hash(made) == hash(record) and repr(made) == repr(record)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_record_cannot_be_changed(record: object) -> None:
    with pytest.raises(AttributeError, match="cannot assign to field 'name'"):
        record.name = "other"  # type: ignore[attr-defined]
    assert record.name != "other"  # type: ignore[attr-defined]
