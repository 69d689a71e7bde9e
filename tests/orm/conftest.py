"""``orm``: the shared entities (orm_models.py) mapped on a fresh database, per provider."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from orm_models import MODELS


@pytest.fixture
def orm(make_db):
    """The shared entities, mapped and created on a fresh database of the current provider."""
    db = make_db([MODELS.User, MODELS.Post, MODELS.Tag, MODELS.Sample], create_tables=True)
    return SimpleNamespace(db=db, **vars(MODELS))
