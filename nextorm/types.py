"""The extra column types of nextorm 0.5.1's declarations, and the key generators they use.

``LongStr``, ``Json``, ``DateTimeTz`` and ``Vec`` are written in annotations
(``body: Req[LongStr]``, ``embedding: Req[Vec[384]]``);
``uuid4``, ``uuid7`` and ``ulid`` declare a key the ORM generates in Python before the INSERT
(``id: PK[uuid7]``).  The entity metaclass turns each into a logical schema type and options
(``entity_types.py``); this module holds only the markers and the generators, so it needs no
database.  It is imported by every entity declaration, so it imports nothing heavy: ``uuid``
(which pulls in ``platform``) only when a key is generated.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uuid import UUID


class LongStr(str):
    """Unlimited text (``TEXT``/``LONGTEXT``), loaded lazily unless ``lazy=False``."""


class Json:
    """A JSON column holding dicts, lists and scalars (``JSONB`` on PostgreSQL)."""


class DateTimeTz:
    """A timezone-aware datetime, stored in UTC and read back as an aware UTC datetime."""


class Vec:
    """A vector of floats of a fixed length: ``Req[Vec[384]]``, or ``Req[Vec] = Req(dimensions=384)``.

    Its value is a list of floats.  Stored as ``REAL[]`` on PostgreSQL (float4, with a CHECK
    of the length: the pgvector extension is not assumed), JSON text elsewhere; the distances
    (``dist_l2``, ``dist_cosine``, ``dist_inner_product``) are computed by each server.
    """

    #: The length ``Vec[n]`` declares (None: given by ``dimensions=``).
    dimensions: int | None = None
    _sized: dict[int, type[Vec]] = {}

    def __class_getitem__(cls, dimensions: int) -> type[Vec]:
        """``Vec[384]``: the same class for the same length, so declarations compare equal."""
        if isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1:
            from .errors import DeclarationError

            raise DeclarationError(f"Vec[{dimensions!r}]: the length must be a positive integer")
        found = cls._sized.get(dimensions)
        if found is None:
            found = cls._sized[dimensions] = type(f"Vec{dimensions}", (cls,),
                                                  {"dimensions": dimensions})
        return found


class ULID(str):
    """A 26-character Crockford base32 ULID: a string that sorts in creation order."""


class uuid4:  # noqa: N801 - the published spelling
    """A random UUID key the ORM generates on create (``PK[uuid4]``)."""


class uuid7:  # noqa: N801 - the published spelling
    """A time-ordered UUID (RFC 9562 version 7) the ORM generates on create (``PK[uuid7]``)."""


class ulid:  # noqa: N801 - the published spelling
    """A ULID key the ORM generates on create (``PK[ulid]``)."""


def new_uuid4() -> UUID:
    """A random (version-4) UUID."""
    import uuid

    return uuid.uuid4()


def new_uuid7() -> UUID:
    """A version-7 UUID: 48 bits of Unix milliseconds, then 74 random bits (RFC 9562)."""
    import uuid

    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits; 74 are used
    value = (millis & (1 << 48) - 1) << 80
    value |= 0x7 << 76  # version
    value |= (rand >> 62 & 0xFFF) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & (1 << 62) - 1  # rand_b: 62 bits
    return uuid.UUID(int=value)


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid() -> ULID:
    """A ULID: 48 bits of Unix milliseconds and 80 random bits, in 26 base32 characters."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return ULID("".join(reversed(chars)))


#: ``uuid_auto`` values and the function that makes each key.
KEY_GENERATORS: dict[str, Callable[[], object]] = {
    "v4": new_uuid4, "v7": new_uuid7, "ulid": new_ulid}

#: The marker types of generated keys and their ``uuid_auto``.
GENERATED_KEY_TYPES: dict[type, str] = {uuid4: "v4", uuid7: "v7", ulid: "ulid"}

#: Length of a ULID's text.
ULID_LENGTH = 26


def vector_problem(value: object, dimensions: int) -> str | None:
    """What makes ``value`` no vector of ``dimensions`` numbers, or None if it is one."""
    if not isinstance(value, list | tuple):
        return f"expected a list of {dimensions} floats, got {type(value).__name__} {value!r}"
    if len(value) != dimensions:
        return f"expected {dimensions} floats, got {len(value)}"
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float):
            return f"item {i} is {type(item).__name__} {item!r}, not a number"
        if item != item or item in (float("inf"), float("-inf")):
            return f"item {i} is {item!r}: a vector holds finite numbers"
    return None


# The distances of two vectors of the same length, as the servers compute them in SQL
# (SQLite calls these; PostgreSQL and MariaDB have their own SQL: ``dialects/vectors.py``).
# ``dist_inner_product`` is the negated inner product, so that a smaller value is nearer, as
# with the other two (pgvector's ``<#>``); the cosine distance of a zero vector is None.

def dist_l2(a: Sequence[float], b: Sequence[float]) -> float:
    """The Euclidean distance."""
    return math.sqrt(sum((x - y) * (x - y) for x, y in zip(a, b, strict=True)))


def dist_cosine(a: Sequence[float], b: Sequence[float]) -> float | None:
    """1 - the cosine of the angle between the vectors (None if one is all zeros)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return None if norms == 0 else 1 - dot / norms


def dist_inner_product(a: Sequence[float], b: Sequence[float]) -> float:
    """The negated inner product."""
    return -sum(x * y for x, y in zip(a, b, strict=True))


#: The distances by the name the query expressions use.
DISTANCES = {"l2": dist_l2, "cosine": dist_cosine, "inner_product": dist_inner_product}
