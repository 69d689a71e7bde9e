"""``nextorm graph``: the tables, their columns and their relations with cardinality, drawn
from the snapshot (the blog example's shipped one) and from a live database on the three
servers.  The output is parsed back, so each check is about structure, not bytes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

BLOG = Path(__file__).resolve().parents[2] / "examples" / "blog"

#: (parent, mark, child, label) of the blog's relations, Mermaid's crow's feet.
BLOG_RELATIONS = {
    ("user", "||--o{", "post", "author_id"),
    ("user", "|o--o{", "comment", "author_id"),
    ("post", "||--o{", "comment", "post_id"),
    ("post", "||--o{", "post_tag", "post_id"),
    ("tag", "||--o{", "post_tag", "tag_id"),
}

MODELS = """\
from nextorm import PK, Database, Entity, Opt, Req, Set, Single


class Author(Entity):
    id: PK[int]
    name: Req[str] = Req(max_len=80, unique=True)
    books: Set["Book"] = Set(reverse="author")
    edited: Set["Book"] = Set(reverse="editor")
    profile: Single["Profile"] = Single(nullable=True)


class Profile(Entity):
    author: Single[Author]
    bio: Opt[str]


class Book(Entity):
    title: Req[str]
    author: Single[Author]
    editor: Single[Author] = Single(nullable=True, reverse="edited")


db = Database(entities=[Author, Profile, Book])
{bind}
"""


def parse_mermaid(text: str) -> tuple[dict[str, list[tuple[str, ...]]], set[tuple[str, ...]]]:
    """``({table: [(type, column, keys...)]}, {(parent, mark, child, label)})``."""
    assert text.startswith("erDiagram\n"), text
    tables: dict[str, list[tuple[str, ...]]] = {}
    relations = set()
    current = None
    for line in text.splitlines()[1:]:
        if match := re.fullmatch(r"    (\w+) \{", line):
            current = tables.setdefault(match[1], [])
        elif line == "    }":
            current = None
        elif current is not None:
            words = line.split('"')[0].replace(",", "").split()
            current.append(tuple(words))
        elif match := re.fullmatch(r'    (\w+) (\S+) (\w+) : "([\w, ]+)"', line):
            relations.add(match.groups())
        else:
            raise AssertionError(f"unexpected line {line!r}")
    return tables, relations


def parse_dot(text: str) -> tuple[set[str], set[tuple[str, ...]]]:
    """``({table}, {(child, column, parent, head mark, tail mark)})``."""
    assert text.startswith("digraph schema {") and text.rstrip().endswith("}"), text
    nodes = set(re.findall(r'^    "(\w+)" \[label=<<table', text, re.M))
    edges = set(re.findall(r'^    "(\w+)":"(\w+)" -> "(\w+)" \[.*headlabel="([\d.*]+)", '
                           r'taillabel="([\d.*]+)"', text, re.M))
    return nodes, edges


def in_folder(project):
    """Run a command in process in another folder (the copied example), without --module."""
    return lambda argv, cwd: project.run(*argv, module=None, cwd=cwd)


def copy_blog(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    shutil.copytree(BLOG, root, ignore=shutil.ignore_patterns("*.db", "__pycache__"))
    return root


def test_blog_example_snapshot_as_mermaid(tmp_path, sqlite_project):
    run_in_process = in_folder(sqlite_project)
    root = copy_blog(tmp_path)
    drawn = run_in_process(["graph"], root)
    assert drawn.code == 0, drawn
    tables, relations = parse_mermaid(drawn.out)
    assert set(tables) == {"user", "post", "tag", "comment", "post_tag"}
    assert relations == BLOG_RELATIONS
    assert tables["post"][0] == ("int", "id", "PK")
    assert ("int", "author_id", "FK") in tables["post"]
    assert ("str(200)", "title") in tables["post"]
    assert ("str(255)", "email", "UK") in tables["user"]
    assert sorted(tables["post_tag"]) == [("int", "post_id", "PK", "FK"),
                                          ("int", "tag_id", "PK", "FK")]
    assert 'int author_id FK "nullable"' in drawn.out  # comment.author_id may be NULL
    assert not (root / "blog.db").exists()  # the snapshot alone: no import, no connection


def test_blog_example_as_dot_and_into_files(tmp_path, sqlite_project):
    run_in_process = in_folder(sqlite_project)
    root = copy_blog(tmp_path)
    drawn = run_in_process(["graph", "--format", "dot"], root)
    nodes, edges = parse_dot(drawn.out)
    assert nodes == {"user", "post", "tag", "comment", "post_tag"}
    assert ("comment", "author_id", "user", "0..1", "0..*") in edges
    assert ("post", "author_id", "user", "1", "0..*") in edges
    assert len(edges) == 5

    written = run_in_process(["graph", "--output", "docs/schema.md"], root)
    assert written.code == 1 and "--output docs/schema.md: cannot write it" in written.err
    (root / "docs").mkdir()
    written = run_in_process(["graph", "--output", "docs/schema.md"], root)
    assert written.out == "Wrote docs/schema.md (5 tables)\n", written
    text = (root / "docs" / "schema.md").read_text()
    assert text.startswith("```mermaid\nerDiagram\n") and text.endswith("\n```\n")
    assert parse_mermaid(text[len("```mermaid\n"):-len("```\n")])[1] == BLOG_RELATIONS
    run_in_process(["graph", "--format", "dot", "-o", "schema.dot", "-q"], root)
    assert parse_dot((root / "schema.dot").read_text())[0] == nodes


def test_without_a_snapshot_graph_says_what_to_do(sqlite_project):
    result = sqlite_project.run("graph")
    assert result.code == 1
    assert result.err == ("error: no .schema_snapshot.json in migrations: run makemigrations "
                          "first, or draw the live database with --live\n"), result


def test_live_database_matches_the_snapshot(project):
    project.write_models(MODELS.format(bind=project.target.bind_source()))
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    from_snapshot = parse_mermaid(project.run("graph").out)
    live = project.run("graph", "--live")
    assert live.code == 0, live
    tables, relations = parse_mermaid(live.out)
    assert set(tables) == {"author", "profile", "book"}  # not _nextorm_migrations
    assert relations == {
        ("author", "||--o{", "book", "author_id"),
        ("author", "|o--o{", "book", "editor_id"),
        ("author", "||--o|", "profile", "author_id"),  # one-to-one: a unique key
    }
    assert relations == from_snapshot[1]
    assert {c[1]: c[2:] for c in tables["profile"]} == {
        "id": ("PK",), "author_id": ("FK", "UK"), "bio": ()}
    assert ("str(80)", "name", "UK") in tables["author"]

    nodes, edges = parse_dot(project.run("graph", "--live", "--format", "dot").out)
    assert nodes == {"author", "profile", "book"}
    assert ("profile", "author_id", "author", "1", "0..1") in edges
    assert ("book", "editor_id", "author", "0..1", "0..*") in edges


def test_live_database_from_a_url_alone(project):
    project.write_models(MODELS.format(bind=project.target.bind_source()))
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    url = project.target.url
    url = "sqlite:///" + url if project.target.provider == "sqlite" else url
    live = project.run("graph", "--live", "--database-url", url, module=None)
    assert live.code == 0, live
    assert parse_mermaid(live.out)[1] == parse_mermaid(project.run("graph").out)[1]
