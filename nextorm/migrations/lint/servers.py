"""``nextorm lint --dialect NAME``: lint the part of each file written for a server, offline.

A multi-server folder holds SQL for servers the developer's machine may not run, and a CI
job may have no database at all.  With ``--dialect`` the SQL is collected for that server by
a stand-in (``offline.OfflineDatabase``): nothing connects, so table sizes are unknown and
NX107 is skipped with a note, as with ``--offline``.  ``--dialect`` repeated lints every
named server (a file without that server's part is a finding: it cannot run there);
``--dialect all`` lints each file for every server it carries (``DIALECT``/``DIALECTS``; a
file that declares none runs anywhere, so it is linted for each of them).  With several
servers each finding names the one whose part it is in (``NX106 [postgres]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import MigrationError
from ..loader import MigrationFile
from ..multiserver import declared_servers, parse_dialects
from .model import Finding
from .run import LintReport, lint_files

ALL = "all"


def lint_servers(names: list[str] | tuple[str, ...], directory: str | Path,
                 files: list[MigrationFile], *, threshold: int = 100_000,
                 entities_from: Any = None) -> LintReport:
    """Lint ``files`` for each server of ``names`` (see the module docstring)."""
    from ..offline import OfflineDatabase

    carried = {f.name: _carried(f) for f in files}
    everything = any(str(n).strip().lower() == ALL for n in names)
    if everything:
        servers = list(dict.fromkeys(s for found in carried.values() for s in found or ()))
        if not servers:
            raise MigrationError("lint --dialect all: no file of the range says which servers "
                                 "it is for (DIALECT or DIALECTS); name them with --dialect NAME")
    else:
        servers = parse_dialects(list(names))
    merged = LintReport(files=list(files))
    if entities_from is None:
        merged.notes.append("NX105 skipped: no --module, so the entities were not read")
    for server in servers:
        chosen = [f for f in files if not everything or carried[f.name] is None
                  or server in (carried[f.name] or ())]
        report = lint_files(OfflineDatabase(server), directory, chosen, connected=False,
                            threshold=threshold, entities=entities_from is not None,
                            entities_from=entities_from)
        label = server if len(servers) > 1 else None
        merged.findings += [_labelled(f, label) for f in report.findings]
        merged.notes += [n for n in report.notes if n not in merged.notes]
        merged.silenced += report.silenced
    merged.findings.sort(key=lambda f: (f.file.number, servers.index(f.server)
                                        if f.server in servers else 0))
    return merged


def _carried(file: MigrationFile) -> list[str] | None:
    """The servers a file declares it is for; None for a file that runs anywhere."""
    try:
        text = file.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return declared_servers(text, file.display_path)


def _labelled(finding: Finding, server: str | None) -> Finding:
    if server is None:
        return finding
    return Finding(finding.code, finding.file, finding.message, finding.statement,
                   finding.line, server)
