"""The ORM runtime: sessions, queries and the SQL they send.  Imported on first use.

``import nextorm`` and the migration commands load none of this package; ``Entity``'s methods
and the descriptors (``nextorm/attributes.py``) import it when an object is first created,
read or queried.

==================  ==========================================================================
``context.py``      ``db_session``: which session is active; ``flush``/``commit``/``rollback``
``session.py``      ``Session``: identity map, pending changes, transaction, reads by key
``flush.py``        the flush: new objects by dependency, changed ones, the optimistic check
``batch.py``        INSERTs and UPDATEs of one column set in few statements; the new keys
``hooks.py``        ``before_insert`` ... ``after_load``: which an entity defines, calling them
``staged.py``       the commit of a session over several databases (0.5.1's staged order)
``persist.py``      a DELETE and its on_delete, join-table links, constraint error messages
``create.py``       ``User(...)``: a new object's values, defaults and identity
``values.py``       the checks assigned values go through; the creation plan of an entity
``query.py``        ``Query`` (0.5.1's ``QuerySet``): ``select().filter().order_by()``...
``query_results.py`` running a query: objects, counts, aggregates, ``update``, raw SQL
``aggregates.py``   ``select``/``count``/``sum``/``avg``/``min``/``max`` of a generator
``decompile.py``    generators and lambdas -> the conditions of ``expressions.py`` (cached)
``source.py``       the ``ast`` node of a generator or lambda, found from its code object
``expressions.py``  ``User.name`` in a query, the conditions and orders built from it (data)
``querysql.py``     the SQL of queries: SELECT, COUNT, aggregates, the UPDATE of a query
``conditions.py``   conditions -> SQL: table aliases, joins, parameters
``prefetch.py``     ``query.prefetch(...)``: a relation of many objects in one query
``raw.py``          your own SELECT as objects (columns matched by name)
``instance.py``     ``to_dict(...)``, ``select_by_sql``: Entity's 0.5.1 helpers
``relation_set.py`` ``user.posts``: the objects a ``Set`` relates, and changing them
``layout.py``       ``EntityInfo``: an entity's columns, converters and plans on one database
``rows.py``         rows <-> attribute values (read plan, insert plan, key parameters)
``materialize.py``  rows -> objects through the identity map (the read path of queries)
``sql.py``          the SQL of rows by key and of join-table links (server differences: the
                    dialect's)
==================  ==========================================================================

Values are converted between Python and the driver by ``nextorm/convert.py``.
"""
