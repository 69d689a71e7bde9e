"""The one-entity models the ``nextorm lint`` tests (and the squash history) write, and the
rule codes a lint run printed."""

from __future__ import annotations


def write_post_models(project, *lines: str) -> None:
    """myapp/models.py with one entity, Post: an id and ``lines`` (attribute declarations)."""
    body = "".join(f"    {line}\n" for line in ("id: PK[int]", *lines))
    project.write_models("from nextorm import PK, Database, Entity, Opt, Req  # noqa: F401\n\n\n"
                         f"class Post(Entity):\n{body}\n\ndb = Database(entities=[Post])\n"
                         f"{project.target.bind_source()}\n")


def codes(result) -> list[str]:
    """The rule codes of the finding lines, in order."""
    return [line.split(": ")[1].split()[0] for line in result.out.splitlines()
            if line.startswith("migrations/")]
