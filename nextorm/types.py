"""The extra column types of nextorm 0.5.1's declarations, and the key generators they use.

``LongStr``, ``Json`` and ``DateTimeTz`` are written in annotations (``body: Req[LongStr]``);
``uuid4``, ``uuid7`` and ``ulid`` declare a key the ORM generates in Python before the INSERT
(``id: PK[uuid7]``).  The entity metaclass turns each into a logical schema type and options
(``entity_types.py``); this module holds only the markers and the generators, so it needs no
database.
"""

from __future__ import annotations

import os
import time
import uuid as _uuid
from collections.abc import Callable


class LongStr(str):
    """Unlimited text (``TEXT``/``LONGTEXT``), loaded lazily unless ``lazy=False``."""


class Json:
    """A JSON column holding dicts, lists and scalars (``JSONB`` on PostgreSQL)."""


class DateTimeTz:
    """A timezone-aware datetime, stored in UTC and read back as an aware UTC datetime."""


class ULID(str):
    """A 26-character Crockford base32 ULID: a string that sorts in creation order."""


class uuid4:  # noqa: N801 - the published spelling
    """A random UUID key the ORM generates on create (``PK[uuid4]``)."""


class uuid7:  # noqa: N801 - the published spelling
    """A time-ordered UUID (RFC 9562 version 7) the ORM generates on create (``PK[uuid7]``)."""


class ulid:  # noqa: N801 - the published spelling
    """A ULID key the ORM generates on create (``PK[ulid]``)."""


def new_uuid7() -> _uuid.UUID:
    """A version-7 UUID: 48 bits of Unix milliseconds, then 74 random bits (RFC 9562)."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits; 74 are used
    value = (millis & (1 << 48) - 1) << 80
    value |= 0x7 << 76  # version
    value |= (rand >> 62 & 0xFFF) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & (1 << 62) - 1  # rand_b: 62 bits
    return _uuid.UUID(int=value)


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
    "v4": _uuid.uuid4, "v7": new_uuid7, "ulid": new_ulid}

#: The marker types of generated keys and their ``uuid_auto``.
GENERATED_KEY_TYPES: dict[type, str] = {uuid4: "v4", uuid7: "v7", ulid: "ulid"}

#: Length of a ULID's text.
ULID_LENGTH = 26
