"""Declaring entities and mapping them stays cheap: what it must not import (issue 9, "Speed").

Every command of a project (``migrate`` first of all) imports the user's models: the entity
classes are declared and ``generate_mapping`` resolves them.  Each test runs a fresh
interpreter and lists which of the modules below got imported.  Each was once imported on
that path: ``dataclasses`` (with ``inspect``, ``dis``, ``ast``) for the attribute records,
``uuid`` (with ``platform``) for the ``uuid.UUID`` column type.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

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


def imported_after(code: str, watched: tuple[str, ...]) -> list[str]:
    """The modules of ``watched`` that a fresh interpreter has imported after ``code``."""
    script = (f"{code}\nimport sys\n"
              f"print(repr(sorted(m for m in sys.modules if m in {watched!r} "
              f"or m.startswith({LATER!r}))))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=REPO, check=True)
    return list(ast.literal_eval(done.stdout.splitlines()[-1]))


def test_declaring_and_mapping_entities_imports_nothing_heavy() -> None:
    assert imported_after(MODELS, HEAVY) == []


def test_postponed_annotations_too() -> None:
    code = "from __future__ import annotations\n" + MODELS
    assert imported_after(code, HEAVY) == []
