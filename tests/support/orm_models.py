"""Entities the ORM tests share: a table named ``user``, relations both ways, every type."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from types import SimpleNamespace

from nextorm import Entity, Opt, Req, Set, Single


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


def _stamp() -> str:
    return "stamped"


def declare_models() -> SimpleNamespace:
    """Declare a fresh set of entity classes (a table named ``user``, relations, every type)."""

    class User(Entity):
        name: Req[str] = Req(max_len=20)
        email: Req[str] = Req(unique=True)
        bio: Opt[str]
        age: Opt[int]
        posts: Set["Post"] = Set(reverse="author")
        edited: Set["Post"] = Set(reverse="editor")

    class Post(Entity):
        title: Req[str]
        author: Single["User"]
        editor: Single["User"] = Single(nullable=True)
        tags: Set["Tag"]
        status: Req[str] = Req(default="draft")
        stamp: Opt[str] = Opt(default=_stamp)

    class Tag(Entity):
        name: Req[str]
        posts: Set["Post"]

    class Sample(Entity):
        flag: Req[bool]
        price: Req[Decimal] = Req(precision=10, scale=2)
        at: Req[dt.datetime]
        day: Req[dt.date]
        clock: Req[dt.time]
        uid: Req[uuid.UUID]
        data: Req[dict]
        color: Req[Color]
        level: Opt[Level]
        blob: Opt[bytes]
        ratio: Opt[float]
        note: Opt[str] = Opt(nullable=True)

    return SimpleNamespace(User=User, Post=Post, Tag=Tag, Sample=Sample)


MODELS = declare_models()
