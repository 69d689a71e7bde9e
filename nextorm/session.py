"""The import path of ``db_session`` and the session functions; they live in ``nextorm/orm/``.

``Entity`` (``entity.py``) and existing code import from here; new code can use ``nextorm``
(``from nextorm import db_session``) or the modules of ``nextorm/orm/`` directly.
"""

from .orm.context import commit, current_session, db_session, flush, rollback
from .orm.create import create
from .orm.session import Session

__all__ = ["Session", "commit", "create", "current_session", "db_session", "flush", "rollback"]
