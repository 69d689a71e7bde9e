"""Read the code examples out of the docs pages and run them (imported as ``support.docs_harness``).

Every fenced ``python`` block and every ``bash``/``shell``/``console`` block of ``docs/`` runs,
so the docs cannot drift from the code.  What a block is, is said in the Markdown with a
comment on the line before it (the site does not show it):

- ``<!-- docs-test: skip (why) -->``: a fragment, not run; the reason is required.
- ``<!-- docs-test: example NAME [on postgres|mysql] [after OTHER] -->``: the blocks after
  it, up to ``<!-- docs-test: end -->`` or the next ``example``, are one walkthrough run in
  order in one project folder; ``on postgres`` runs it on a test server, every
  ``postgresql://...`` / ``mysql://...`` URL in it replaced by the test's own database;
  ``after OTHER`` runs the blocks of the page's example ``OTHER`` first (a shared setup).
  Hidden code reaches the example's database as ``DOCS_TEST_PROVIDER``/``DOCS_TEST_URL`` in
  the environment.  ``<!-- docs-test: continue NAME -->`` adds the next blocks to the page's
  example ``NAME`` again (a walkthrough interrupted by examples on other servers).
- ``<!-- docs-test: file PATH -->``: the next block (any language) is written to ``PATH`` in
  the project folder instead of being run.
- ``<!-- docs-test: output -->``: the next block is what the block before printed (its lines
  must appear in order; times and durations are ignored, ``...`` matches anything).
- ``<!-- docs-test: exit N -->``: the last command of the next shell block exits with N.
- ``<!-- docs-test: hidden python`` or ``hidden shell``, the code, then ``-->``: a step the
  site does not show (setup, or a check that the example did what the page says).

A block outside any example is an example of its own.  Python blocks run in this process in
one module per example, with the project folder as the current folder and on ``sys.path``;
shell commands (``nextorm ...``, ``python -m nextorm.migrations.cli ...``, ``pdm run NAME``
through ``[tool.pdm.scripts]``) run through the CLI's ``run(argv, cwd=)``, ``python FILE.py``
runs the project's script in this process, ``cd`` and ``export`` act on the example.
Any other command fails the example: mark its block ``skip`` with the reason.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import shlex
import sys
import textwrap
import tomllib
import types
from dataclasses import dataclass, field
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"

PYTHON = {"python", "py"}
SHELL = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<body>.*?)\s*(?P<end>-->)?\s*$")
URLS = {"postgres": re.compile(r"postgres(?:ql)?://[^\s\"'`)]+"),
        "mysql": re.compile(r"mysql://[^\s\"'`)]+")}
SQLITE_BIND = re.compile(r"""bind\(\s*["']sqlite["']\s*,\s*["'][^"']*["']\s*\)""")


class DocsExampleError(AssertionError):
    """An example did not do what its page says; the message names the page and line."""


@dataclass
class Block:
    page: str
    line: int
    lang: str  # "python", "shell", "console" or anything else (not run)
    code: str
    file: str | None = None  # written to this path instead of run
    output: bool = False  # the expected output of the block before
    exit_code: int = 0
    skip: str | None = None

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


@dataclass
class Example:
    name: str
    server: str = "sqlite"
    blocks: list[Block] = field(default_factory=list)
    after: str | None = None

    @property
    def runnable(self) -> bool:
        return any(b.skip is None and (b.file or b.output or b.lang in PYTHON | SHELL)
                   for b in self.blocks)


def parse_page(path: Path, docs: Path = DOCS) -> list[Example]:
    """The examples of one page, in order (skipped blocks included, marked)."""
    page = path.relative_to(docs).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    examples: list[Example] = []
    group: Example | None = None
    pending: dict[str, str] = {}
    i = 0

    def add(block: Block) -> None:
        if group is not None:
            group.blocks.append(block)
        elif block.output and examples:  # the output of the block just before
            examples[-1].blocks.append(block)
        else:
            examples.append(Example(f"{page}:{block.line}", blocks=[block]))

    while i < len(lines):
        marker = MARKER.match(lines[i])
        fence = FENCE.match(lines[i])
        if marker:
            word, _, rest = marker["body"].partition(" ")
            if word == "hidden":
                body, i = _comment_body(lines, i + 1, marker["end"], page)
                lang = "shell" if rest.strip() in SHELL else rest.strip()
                add(Block(page, i, lang, body))
            elif word == "example":
                m = re.fullmatch(r"(\S+)(?: on (postgres|mysql))?(?: after (\S+))?", rest.strip())
                if m is None:
                    raise DocsExampleError(f"docs/{page}:{i + 1}: write <!-- docs-test: "
                                           "example NAME [on postgres|mysql] [after OTHER] -->")
                group = Example(f"{page}::{m[1]}", m[2] or "sqlite",
                                after=m[3] and f"{page}::{m[3]}")
                examples.append(group)
            elif word == "end":
                group = None
            elif word == "continue":
                found = [ex for ex in examples if ex.name == f"{page}::{rest.strip()}"]
                if not found:
                    raise DocsExampleError(f"docs/{page}:{i + 1}: no example {rest!r} above")
                group = found[0]
            elif word in ("skip", "file", "output", "exit"):
                if word == "skip" and not re.fullmatch(r"\(.+\)", rest.strip()):
                    raise DocsExampleError(f"docs/{page}:{i + 1}: skip needs a reason: "
                                           "<!-- docs-test: skip (why) -->")
                pending[word] = rest.strip()
            else:
                raise DocsExampleError(f"docs/{page}:{i + 1}: unknown docs-test marker {word!r}")
        elif fence:
            start, indent, close = i + 1, len(fence["indent"]), fence["fence"]
            i += 1
            body = []
            while i < len(lines) and not lines[i].strip().startswith(close):
                body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i])
                i += 1
            lang = fence["lang"].lower()
            add(Block(page, start, "console" if lang == "console" else
                      "shell" if lang in SHELL else "python" if lang in PYTHON else lang,
                      "\n".join(body) + "\n", file=pending.get("file"),
                      output="output" in pending, exit_code=int(pending.get("exit", 0)),
                      skip=pending.get("skip")))
            pending = {}
        i += 1
    named = {ex.name: ex for ex in examples}
    for ex in examples:
        if ex.after is not None:
            if ex.after not in named:
                raise DocsExampleError(f"{ex.name}: no example {ex.after} on this page")
            ex.blocks[:0] = named[ex.after].blocks
    return examples


def _comment_body(lines: list[str], i: int, closed: str | None, page: str) -> tuple[str, int]:
    if closed:
        raise DocsExampleError(f"docs/{page}:{i}: a hidden block needs its code on the lines "
                               "after the marker, then -->")
    body = []
    while i < len(lines) and lines[i].strip() != "-->":
        body.append(lines[i])
        i += 1
    return textwrap.dedent("\n".join(body)) + "\n", i


def all_examples() -> list[Example]:
    return [ex for path in sorted(DOCS.rglob("*.md")) for ex in parse_page(path)]


# -- running -------------------------------------------------------------------------------


class Runner:
    """Runs one example's blocks in order in ``root``, a fresh project folder."""

    def __init__(self, example: Example, root: Path, url: str | None) -> None:
        self.example, self.root, self.url = example, root, url
        self.cwd = root
        self.env: dict[str, str] = {"DOCS_TEST_PROVIDER": example.server,
                                    "DOCS_TEST_URL": url or "app.db"}
        self.last_output = ""
        self.module = types.ModuleType(f"docs_example_{abs(hash(example.name))}")
        self.module.__file__ = str(root / "__docs_example__.py")

    def run(self) -> None:
        sys.modules[self.module.__name__] = self.module
        path_before, modules_before = list(sys.path), set(sys.modules)
        from nextorm.entity import DECLARED_ENTITIES

        declared = list(DECLARED_ENTITIES)
        sys.path.insert(0, str(self.root))
        try:
            for n, block in enumerate(self.example.blocks):
                if block.skip is None:
                    self.step(n, block)
            from nextorm import db_session

            if db_session.depth:  # it would swallow the next example's sessions
                raise DocsExampleError(f"{self.example.name} left a db_session open")
        finally:
            sys.path[:] = path_before
            self.forget(set(sys.modules) - modules_before | {self.module.__name__})
            DECLARED_ENTITIES[:] = declared

    def step(self, n: int, block: Block) -> None:
        code = self.localise(block.code)
        if block.file:
            target = self.cwd / block.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code, encoding="utf-8")
            if target.suffix == ".py" and target.parent != self.cwd:
                init = target.parent / "__init__.py"
                if not init.exists() and target.parent.name != "migrations":
                    init.write_text("")
            self.forget_project()
        elif block.output:
            expect_output(block, self.last_output, self.localise)
        elif block.lang == "python":
            self.last_output = self.python(n, block, code)
        elif block.lang in ("shell", "console"):
            self.last_output = self.shell(block, code)

    def localise(self, text: str) -> str:
        """The example's server URLs replaced by the test database's.

        A SQLite ``db.bind("sqlite", "app.db")`` is bound to the example's server too, so one
        walkthrough can run on each server (``example NAME on mysql after OTHER``).
        """
        if self.url is None:
            return text
        text = SQLITE_BIND.sub(f"bind({self.example.server!r}, {self.url!r})", text)
        return URLS[self.example.server].sub(lambda _m: self.url or "", text)

    def python(self, n: int, block: Block, code: str) -> str:
        source = self.root.parent / "blocks" / f"block_{n}_{block.page.replace('/', '_')}.py"
        source.parent.mkdir(exist_ok=True)
        source.write_text(code, encoding="utf-8")  # generator queries are read from the file
        out = io.StringIO()
        os.chdir(self.cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                    _environ(self.env):
                exec(compile(code, str(source), "exec"), self.module.__dict__)
        except BaseException as exc:
            import traceback

            raise DocsExampleError(f"{block.where}: the python block raised "
                                   f"{type(exc).__name__}: {exc}\n{out.getvalue()}"
                                   f"{traceback.format_exc()}") from exc
        return out.getvalue()

    def shell(self, block: Block, code: str) -> str:
        printed = []
        commands = shell_commands(block)
        for k, (line, expected) in enumerate(commands):
            last = k == len(commands) - 1
            for words in _split_and(line):
                code_, out = self.command(block, words)
                printed.append(out)
                want = block.exit_code if last else 0
                if code_ != want:
                    raise DocsExampleError(f"{block.where}: `{line}` exited {code_}, the page "
                                           f"expects {want}:\n{out}")
            if expected is not None:
                expect_output(block, out, self.localise, expected)
        return "".join(printed)

    def command(self, block: Block, words: list[str]) -> tuple[int, str]:
        env = {}
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            key, _, value = words.pop(0).partition("=")
            env[key] = self.localise(value)
        if not words:
            self.env.update(env)
            return 0, ""
        head = words[0]
        if any(w in (">", ">>", "<", "|", "||", ";", "&") or w.startswith("$(") for w in words):
            raise DocsExampleError(f"{block.where}: `{shlex.join(words)}` uses the shell "
                                   "(a redirection, a pipe); the docs test runs commands "
                                   "alone: mark the block <!-- docs-test: skip (why) -->")
        if head == "cd":
            self.cwd = (self.cwd / words[1]).resolve()
            return 0, ""
        if head == "export":
            for word in words[1:]:
                key, _, value = word.partition("=")
                self.env[key] = self.localise(value)
            return 0, ""
        if re.fullmatch(r"(\S*/)?python3?", head) and words[1:2] and words[1].endswith(".py"):
            return self.script(words, env)
        argv = self.nextorm_argv(words)
        if argv is None:
            raise DocsExampleError(f"{block.where}: `{shlex.join(words)}` is not a command "
                                   "the docs test can run; mark the block "
                                   "<!-- docs-test: skip (why) -->")
        from nextorm.migrations.cli import run

        self.forget_project()  # each command is a new process: it imports the files as they are
        out = io.StringIO()
        modules_before = set(sys.modules)
        sys.dont_write_bytecode = True  # a models file rewritten within a second
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                    _environ({**self.env, **env}):
                code = run(argv, cwd=self.cwd)
        finally:
            self.forget(set(sys.modules) - modules_before)
        return code, out.getvalue()

    def script(self, words: list[str], env: dict[str, str]) -> tuple[int, str]:
        """``python main.py``: the script runs as ``__main__`` with its folder on the path."""
        import runpy
        import traceback

        self.forget_project()
        out, code = io.StringIO(), 0
        argv_before = sys.argv
        sys.argv = words[1:]
        os.chdir(self.cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                    _environ({**self.env, **env}):
                runpy.run_path(str(self.cwd / words[1]), run_name="__main__")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:
            out.write(traceback.format_exc())
            code = 1
        finally:
            sys.argv = argv_before
        return code, out.getvalue()

    def nextorm_argv(self, words: list[str]) -> list[str] | None:
        if words[0] == "nextorm":
            return words[1:]
        if re.fullmatch(r"(\S*/)?python3?", words[0]) and words[1:2] == ["-m"] and \
                words[2] in ("nextorm", "nextorm.migrations.cli"):
            return words[3:]
        if words[:2] == ["pdm", "run"] and len(words) > 2:
            scripts = self.pdm_scripts()
            script = scripts.get(words[2])
            if isinstance(script, dict):
                script = script.get("cmd") or script.get("shell")
            if isinstance(script, str):
                return self.nextorm_argv(shlex.split(script) + words[3:])
        return None

    def pdm_scripts(self) -> dict:
        for folder in (self.cwd, *self.cwd.parents):
            file = folder / "pyproject.toml"
            if file.exists():
                data = tomllib.loads(file.read_text(encoding="utf-8"))
                return data.get("tool", {}).get("pdm", {}).get("scripts", {})
        return {}

    def forget_project(self) -> None:
        """Forget the project's modules, so the next import reads the files as they are now."""
        root = str(self.root)
        self.forget({name for name, m in sys.modules.items()
                     if str(getattr(m, "__file__", "") or "").startswith(root)})

    def forget(self, names: set[str]) -> None:
        from nextorm import Database
        from nextorm.entity import DECLARED_ENTITIES

        root = str(self.root)
        names = {n for n in names if n == self.module.__name__ or
                 str(getattr(sys.modules.get(n), "__file__", "") or "").startswith(root)}
        for name in names:
            module = sys.modules.pop(name, None)
            for value in vars(module).values() if module else ():
                if isinstance(value, Database):
                    value.disconnect()
        if names - {self.module.__name__}:
            DECLARED_ENTITIES[:] = [e for e in DECLARED_ENTITIES if e.__module__ not in names]
        importlib.invalidate_caches()


def shell_commands(block: Block) -> list[tuple[str, list[str] | None]]:
    """The block's commands (continuations joined), each with the output a console block shows."""
    commands: list[tuple[str, list[str] | None]] = []
    text = re.sub(r"\\\n\s*", " ", block.code)
    for raw in text.splitlines():
        line = raw.strip()
        if block.lang == "console":
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands and line:
                expected = commands[-1][1]
                assert expected is not None
                expected.append(line)
            continue
        if line and not line.startswith("#"):
            commands.append((line, None))
    return [(line, out or None) for line, out in commands]


def _split_and(line: str) -> list[list[str]]:
    words = shlex.split(line, comments=True)
    groups: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            groups.append([])
        else:
            groups[-1].append(word)
    return [g for g in groups if g]


@contextlib.contextmanager
def _environ(extra: dict[str, str]):
    before = {key: os.environ.get(key) for key in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def normalise(line: str) -> str:
    line = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?( UTC)?", "<TIME>", line)
    line = re.sub(r"\(\d+ ms\)", "(<MS>)", line)
    return " ".join(line.split())


def expect_output(block: Block, actual: str, localise, lines: list[str] | None = None) -> None:
    """Every expected line appears in ``actual``, in order (``...`` matches anything)."""
    wanted = [normalise(localise(x)) for x in (lines or block.code.splitlines()) if x.strip()]
    got = [normalise(x) for x in actual.splitlines()]
    at = 0
    for want in wanted:
        pattern = re.compile(".*".join(re.escape(part) for part in want.split("...")))
        while at < len(got) and not pattern.fullmatch(got[at]):
            at += 1
        if at == len(got):
            raise DocsExampleError(f"{block.where}: the page shows {want!r}, which the command "
                                   f"did not print; it printed:\n{actual}")
        at += 1
