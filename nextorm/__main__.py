"""``python -m nextorm``: the ``nextorm`` command, for environments without its script on PATH.

Only ``-m`` runs this file, so ``import nextorm`` stays as cheap as before.
"""

from __future__ import annotations

from .migrations.cli import main

if __name__ == "__main__":
    main()
