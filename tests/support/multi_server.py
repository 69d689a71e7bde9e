"""One migrations folder for several servers (``dialects`` under ``[tool.nextorm]``): the
setting, and a folder generated with a part per server."""

from __future__ import annotations

SERVERS = ("sqlite", "postgres", "mysql")

V1 = """\
from nextorm import PK, Database, Entity, Opt, Req


class Item(Entity):
    id: PK[int]
    name: Req[str] = Req(max_len=20)
    code: Req[str] = Req(max_len=20)
    size: Opt[int]


db = Database(entities=[Item])
{bind}
"""

#: A rename (name -> title), a type change (code: 20 -> 80 characters), a column added with a
#: default for the existing rows (views), and an index on an existing table (concurrent on
#: PostgreSQL, so only PostgreSQL's part is not atomic).
V2 = """\
from nextorm import PK, Database, Entity, Opt, Req


class Item(Entity):
    id: PK[int]
    title: Req[str] = Req(max_len=20, renamed_from="name")
    code: Req[str] = Req(max_len=80)
    size: Opt[int] = Opt(index=True)
    views: Req[int] = Req(default=7)


db = Database(entities=[Item])
{bind}
"""

PYPROJECT = """\
[tool.nextorm]
module = "myapp.models"
dialects = [{servers}]
concurrent-indexes = true
"""


def configure(project, servers=SERVERS) -> None:
    """The project's pyproject.toml: ``myapp.models``, a part per server of ``servers``."""
    listed = ", ".join(f'"{s}"' for s in servers)
    (project.root / "pyproject.toml").write_text(PYPROJECT.format(servers=listed))


def generate_folder(project) -> None:
    """0001 (the table) and 0002 (the changes that carry rows), both for every server."""
    configure(project)
    project.write_models(V1.format(bind=project.target.bind_source()))
    made = project.run("makemigrations", "--name", "initial")
    assert made.code == 0, made
    project.write_models(V2.format(bind=project.target.bind_source()))
    made = project.run("makemigrations", "--name", "change_item")
    assert made.code == 0, made
