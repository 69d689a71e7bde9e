"""Shared test support: every helper more than one test module uses, and nothing else.

Test modules never import each other; what two of them share (migration sources, entity
declarations, schema cases, Hypothesis strategies, the docs harness ...) lives here, one module
per subject, and is imported the same way from every folder of ``tests/``::

    from support.cli import INITIAL, one_error_line

``tests/`` is on ``sys.path`` through ``pythonpath = ["tests"]`` under
``[tool.pytest.ini_options]`` in pyproject.toml.  Fixtures stay in the ``conftest.py`` of the
folder that uses them; a fixture's plain parts (its entities, its rows) may live here.

- ``adopt051``: the nextorm 0.5.1 fixture (tests/fixtures/nextorm051/) put on a test's database.
- ``cli``: migration sources and output checks of the CLI tests.
- ``docs_harness``: reads the code examples out of docs/ and runs them.
- ``entity_shapes``: entity classes several test tiers declare afresh.
- ``entity_specs``: Hypothesis strategies for random entity sets.
- ``golden``: the golden schema-change cases and how each renders to a migration module.
- ``import_cost``: what a fresh interpreter imported (the import-cost guards).
- ``lint``: the one-entity models the lint tests write, and the rule codes lint printed.
- ``migrations``: build a schema on a real server and migrate it with a file (dialect tests).
- ``multi_server``: one migrations folder generated for several servers.
- ``orm_models``: the entities the ORM tests share.
- ``schema_strategies``: Hypothesis strategies for random schema dicts, and a questioner.
- ``squash``: a history to squash, and the check that every stop of the range keeps working.
- ``vectors``: ``Vec`` entities, rows and a reference distance.
- ``writers``: app writer threads that measure their stalls while a migration runs (the
  online-DDL tests and ``scripts/bench/online_ddl.py``).
"""
