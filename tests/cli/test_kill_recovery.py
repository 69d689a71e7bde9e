"""A ``migrate`` killed at random moments always recovers (``scripts/kill_migrate.py``).

The script is run end to end, as a developer runs it, with 20 trials per server; it fails
when a trial needs hand work, applies a migration twice, or ends with a schema or rows other
than a clean run's.  The long run (200 trials) is the same script: ``--trials 200``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "kill_migrate.py"


@pytest.mark.slow
def test_migrate_killed_at_random_moments_recovers(target):
    provider = target.provider  # the fixture skips (or fails in CI) an unconfigured server
    result = subprocess.run([sys.executable, str(SCRIPT), "--provider", provider,
                             "--trials", "20"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = re.search(rf"^{provider}: 20 trials, (\d+) killed before migrate finished, "
                        r"(\d+) resumed with --retry, 0 failed", result.stdout, re.M)
    assert figures, result.stdout
    assert int(figures.group(1)) >= 5, result.stdout  # the kills did land mid-run
