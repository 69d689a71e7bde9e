"""Shared by the import-cost guards of tests/packaging: what a fresh interpreter imported.

``sys.modules`` of the test process is full, so each check runs its code in a new interpreter
(this checkout first on ``PYTHONPATH``) and reports which watched modules it imported.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def imported_after(code: str, watched: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> list[str]:
    """The modules named in ``watched``, or under one of ``prefixes``, imported after ``code``."""
    script = (f"{code}\nimport sys\n"
              f"print(repr(sorted(m for m in sys.modules if m in {watched!r} "
              f"or m.startswith({prefixes!r}))))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=REPO, check=True)
    return list(ast.literal_eval(done.stdout.splitlines()[-1]))
