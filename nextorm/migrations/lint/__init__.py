"""``nextorm lint``: find operations in migration files that are dangerous in production.

``rules.py`` holds the rule table (code, title, check), ``silence.py`` the in-file silences,
``run.py`` the run over a range of files, ``servers.py`` the run for servers named with
``--dialect`` (offline); ``docs/lint.md`` documents each code and its fix.
The lint is migration tooling: ``migrate`` never imports it.
"""

from .model import Finding
from .rules import RULES, Rule
from .run import LintReport, lint_files
from .servers import lint_servers

__all__ = ["RULES", "Finding", "LintReport", "Rule", "lint_files", "lint_servers"]
