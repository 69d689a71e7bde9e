"""The ORM runtime: sessions, queries and the SQL they send.  Imported on first use.

``import nextorm`` and the migration commands load none of this package; ``Entity``'s methods
and the descriptors (``nextorm/attributes.py``) import it when an object is first created,
read or queried.

==================  ==========================================================================
``context.py``      ``db_session``: which session is active; ``flush``/``commit``/``rollback``
``session.py``      ``Session``: identity map, pending changes, transaction, reads by key
``persist.py``      write one object's row: INSERT, UPDATE, join-table links, error messages
``create.py``       ``User(...)``: a new object's values, defaults and identity
``values.py``       the checks assigned values go through; the creation plan of an entity
``query.py``        ``Query``: ``select().filter().order_by()``, run in the active session
``expressions.py``  ``User.name`` in a query, the conditions and orders built from it (data)
``relation_set.py`` ``user.posts``: the objects a ``Set`` relates, and changing them
``layout.py``       ``EntityInfo``: an entity's columns, converters and plans on one database
``rows.py``         rows <-> attribute values (read plan, insert plan, key parameters)
``sql.py``          every SQL string the runtime sends (server differences: the dialect's)
==================  ==========================================================================

Values are converted between Python and the driver by ``nextorm/convert.py``.
"""
