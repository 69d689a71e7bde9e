"""Silencing a finding in the migration file, with a reason.

``# nextorm-lint: ignore NX103 -- the table is empty in production`` silences NX103 for the
statement on the next code line (or on the same line); placed above ``def upgrade`` it
silences the code for the whole file, above ``def upgrade_postgres`` (a file with a part per
server) for that server's part.  Several codes may be listed (``NX101, NX102``).  A
silence without a reason, or naming an unknown code, silences nothing and is a finding
itself (NX002): the reason is what the next reviewer reads.
"""

from __future__ import annotations

import re

from ...dialects import PROVIDER_ALIASES
from ...records import Record

#: (Patterns compiled on first use, by ``re``'s cache: most files have no silence at all.)
MARK = r"#\s*nextorm-lint:\s*ignore\b(?P<rest>.*)$"
PART = r"def\s+(?:upgrade|downgrade)_(\w+)\s*\("


class Silence(Record):
    """One ``# nextorm-lint: ignore`` comment: where it is, what it silences, and why."""

    __slots__ = ("line", "codes", "reason", "target", "server")

    def __init__(self, line: int, codes: tuple[str, ...], reason: str, target: int | None,
                 server: str | None = None) -> None:
        self.line = line  # where the comment is
        self.codes, self.reason = codes, reason
        self.target = target  # the code line it applies to; None: the whole file (or part)
        self.server = server  # above ``def upgrade_<server>``: that server's part only

    def covers(self, code: str, line: int | None, server: str | None = None) -> bool:
        if code not in self.codes or not self.reason:
            return False
        if self.server is not None and server != self.server:
            return False
        return self.target is None or line == self.target


def read_silences(text: str) -> list[Silence]:
    """Find the silences of a file (see the module docstring)."""
    if "nextorm-l" not in text.lower():  # (not "-lint": re's IGNORECASE takes "ı" for "i")
        return []
    lines = text.splitlines()
    first_def = next((i for i, line in enumerate(lines, 1) if line.startswith("def ")),
                     len(lines) + 1)
    found = []
    for number, line in enumerate(lines, 1):
        match = re.search(MARK, line, re.IGNORECASE)
        if match is None:
            continue
        codes_part, _, reason = match.group("rest").partition("--")
        codes = tuple(c.upper() for c in re.findall(r"[A-Za-z]+\d+", codes_part))
        own = line[:match.start()].strip()
        following = next((i for i in range(number + 1, len(lines) + 1)
                          if lines[i - 1].strip() and not lines[i - 1].strip().startswith("#")),
                         None)
        part = re.match(PART, lines[following - 1]) if following and not own else None
        server = PROVIDER_ALIASES.get(part.group(1).lower()) if part else None
        if own:  # a trailing comment: the statement on this line
            target: int | None = number
        elif server is not None or number < first_def:
            target = None
        else:
            target = following
        found.append(Silence(number, codes, reason.strip(), target, server))
    return found
