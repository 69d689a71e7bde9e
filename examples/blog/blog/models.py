"""Entities of the blog example, and the Database the migration commands use.

The database is SQLite (``blog.db`` in the current folder) unless ``BLOG_DB_PROVIDER`` and
``BLOG_DB_URL`` name another server, e.g. ``postgres`` and ``postgresql://root@127.0.0.1/test``.
The ``nextorm`` command's ``--database-url`` / ``DATABASE_URL`` win over both.
"""

from __future__ import annotations

import datetime as dt
import os

from nextorm import PK, Database, Entity, Opt, Req, Set, Single, composite_index


class User(Entity):
    id: PK[int]
    name: Req[str] = Req(max_len=80)
    email: Req[str] = Req(unique=True)
    bio: Opt[str]
    posts: Set["Post"]
    comments: Set["Comment"]


class Post(Entity):
    title: Req[str] = Req(max_len=200)
    body: Opt[str] = Opt(max_len=None)
    published_at: Opt[dt.datetime]
    author: Single[User]
    tags: Set["Tag"]
    comments: Set["Comment"]
    _idx_title_author = composite_index("title", "author")


class Tag(Entity):
    name: Req[str] = Req(max_len=64, unique=True)
    posts: Set[Post]


class Comment(Entity):
    text: Req[str] = Req(max_len=None)
    post: Single[Post]
    author: Single[User] = Single(nullable=True, on_delete="SET NULL")


db = Database(entities=[User, Post, Tag, Comment])
db.bind(os.environ.get("BLOG_DB_PROVIDER", "sqlite"), os.environ.get("BLOG_DB_URL", "blog.db"))
db.generate_mapping()
