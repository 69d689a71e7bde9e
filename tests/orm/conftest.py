"""Fixtures of the ORM tests, per provider: ``orm``, the shared entities (support/orm_models.py)
mapped on a fresh database; ``articles``, the ``Vec`` entity (support/vectors.py) with its rows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nextorm import db_session
from support.orm_models import MODELS
from support.vectors import ROWS, entities


@pytest.fixture
def orm(make_db):
    """The shared entities, mapped and created on a fresh database of the current provider."""
    db = make_db([MODELS.User, MODELS.Post, MODELS.Tag, MODELS.Sample], create_tables=True)
    return SimpleNamespace(db=db, **vars(MODELS))


@pytest.fixture
def articles(make_db):
    """The ``Vec`` entity's table holding ``ROWS``: ``(db, Article)``."""
    db = make_db(entities(), create_tables=True)
    article = db.entities["Article"]
    with db_session:
        for title, vector in ROWS.items():
            article(title=title, embedding=vector)
    return db, article
