"""Declaring entities and mapping them stays cheap: what it must not import (issue 9, "Speed").

Every command of a project (``migrate`` first of all) imports the user's models: the entity
classes are declared and ``generate_mapping`` resolves them.  Each test runs a fresh
interpreter and lists which of the modules below got imported.  Each was once imported on
that path: ``dataclasses`` (with ``inspect``, ``dis``, ``ast``) for the attribute records,
``uuid`` (with ``platform``) for the ``uuid.UUID`` column type.
"""

from __future__ import annotations

from support.import_cost import imported_after

HEAVY = ("dataclasses", "inspect", "ast", "dis", "tokenize", "uuid", "platform", "json", "copy",
         "pathlib", "hashlib")
#: NextORM's parts a models module does not need before it is used.
LATER = ("nextorm.orm", "nextorm.migrations", "nextorm.schema.operations")

MODELS = '''
import datetime as dt
from nextorm import PK, Database, Entity, Opt, Req, Set, Single


class Author(Entity):
    id: PK[int]
    name: Req[str] = Req(max_len=80)
    born: Opt[dt.date]
    books: Set["Book"]


class Book(Entity):
    title: Req[str]
    author: Single[Author]
    pages: Opt[int] = 0


db = Database(entities=[Author, Book])
db.bind("sqlite", ":memory:")
db.generate_mapping()
assert set(db.schema) == {"author", "book"}
'''


def test_declaring_and_mapping_entities_imports_nothing_heavy() -> None:
    assert imported_after(MODELS, HEAVY, LATER) == []


def test_postponed_annotations_too() -> None:
    code = "from __future__ import annotations\n" + MODELS
    assert imported_after(code, HEAVY, LATER) == []
