"""Every code example in docs/ runs, as the page shows it: the docs cannot drift from the code.

How a page marks its blocks (fragments, walkthroughs, files, expected output, examples on
PostgreSQL or MariaDB) is described in ``support/docs_harness.py``.  The examples on a server
get their own database from the ``postgres_target``/``mysql_target`` fixtures of
tests/conftest.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.docs_harness import (
    DOCS,
    Block,
    DocsExampleError,
    Example,
    Runner,
    all_examples,
    expect_output,
    parse_page,
)

EXAMPLES = [ex for ex in all_examples() if ex.runnable]


@pytest.mark.parametrize("example", EXAMPLES, ids=[ex.name for ex in EXAMPLES])
def test_docs_example(example: Example, tmp_path: Path, request: pytest.FixtureRequest,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    url = None
    if example.server != "sqlite":
        url = request.getfixturevalue(f"{example.server}_target").url
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    Runner(example, root, url).run()


def test_every_page_is_in_the_site_nav() -> None:
    nav = set(re.findall(r":\s*([\w/.-]+\.md)\s*$",
                         (DOCS.parent / "mkdocs.yml").read_text(), re.M))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages - nav == set(), "docs pages missing from mkdocs.yml's nav"
    assert nav - pages == set(), "mkdocs.yml's nav names pages that do not exist"


def test_the_guide_and_quick_start_run_whole_walkthroughs() -> None:
    """The two pages a new user follows are tested as walkthroughs, not block by block."""
    for page in ("quickstart.md", "migrations-guide.md"):
        walkthroughs = [ex for ex in parse_page(DOCS / page)
                        if "::" in ex.name and len(ex.blocks) >= 4]
        assert walkthroughs, page


# -- the harness itself: it must be able to fail ---------------------------------------------


def _page(tmp_path: Path, text: str) -> list[Example]:
    path = tmp_path / "page.md"
    path.write_text(text)
    return parse_page(path, tmp_path)


def _run(examples: list[Example], tmp_path: Path) -> None:
    for ex in examples:
        root = tmp_path / ex.name.replace("/", "_").replace(":", "_")
        root.mkdir()
        Runner(ex, root, None).run()


def test_a_failing_python_block_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    examples = _page(tmp_path, "```python\nassert 1 + 1 == 3\n```\n")
    with pytest.raises(DocsExampleError, match=r"page.md:1: the python block raised AssertionError"):
        _run(examples, tmp_path)


def test_a_command_the_harness_cannot_run_must_be_marked(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    examples = _page(tmp_path, "```bash\npip install nextorm\n```\n")
    with pytest.raises(DocsExampleError, match="is not a command the docs test can run"):
        _run(examples, tmp_path)
    skipped = _page(tmp_path, "<!-- docs-test: skip (an install) -->\n```bash\npip install x\n```\n")
    assert [b.skip for ex in skipped for b in ex.blocks] == ["(an install)"]
    with pytest.raises(DocsExampleError, match="skip needs a reason"):
        _page(tmp_path, "<!-- docs-test: skip -->\n```bash\npip install x\n```\n")


def test_a_cli_failure_and_a_wrong_output_fail(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    examples = _page(tmp_path, "```bash\nnextorm migrate --module nowhere.models\n```\n")
    with pytest.raises(DocsExampleError, match=r"exited 1, the page expects 0"):
        _run(examples, tmp_path)
    block = Block("x.md", 1, "text", "Applying 0001_initial.py ... done (3 ms)\n", output=True)
    expect_output(block, "Migrating sqlite app.db\nApplying 0001_initial.py ... done (12 ms)\n",
                  str)
    with pytest.raises(DocsExampleError, match="did not print"):
        expect_output(block, "No migrations to apply.\n", str)


def test_a_walkthrough_shares_its_folder_and_names(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    examples = _page(tmp_path, "<!-- docs-test: example w -->\n"
                               "<!-- docs-test: file data.txt -->\n```\nhello\n```\n"
                               "```python\ntext = open('data.txt').read()\nprint(text)\n```\n"
                               "<!-- docs-test: output -->\n```\nhello\n```\n"
                               "<!-- docs-test: hidden python\nassert text == 'hello\\n'\n-->\n")
    assert [len(ex.blocks) for ex in examples] == [4]
    _run(examples, tmp_path)
