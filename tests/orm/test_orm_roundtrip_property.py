"""Property: any value an attribute accepts reads back equal, of the same type, on every database."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nextorm import db_session
from support.orm_models import Color, Level

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=30)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)

SAMPLES = st.fixed_dictionaries({
    "flag": st.booleans(),
    "price": st.decimals(min_value=-10**7, max_value=10**7, places=2, allow_nan=False),
    "at": st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 1, 1)),
    "day": st.dates(min_value=dt.date(1000, 1, 1)),
    "clock": st.times(),
    "uid": st.uuids(),
    "data": st.dictionaries(TEXT, JSON, max_size=4),
    "color": st.sampled_from(Color),
    "level": st.none() | st.sampled_from(Level),
    "blob": st.none() | st.binary(max_size=40),
    "ratio": st.none() | st.floats(allow_nan=False, allow_infinity=False, width=64),
    "note": st.none() | TEXT,
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(samples=st.lists(SAMPLES, min_size=1, max_size=5))
def test_values_round_trip(orm, samples):
    with db_session(orm.db):
        created = [orm.Sample(**values) for values in samples]
    with db_session(orm.db):
        for values, obj in zip(samples, created, strict=True):
            loaded = orm.Sample[obj.id]
            for name, value in values.items():
                got = getattr(loaded, name)
                assert got == value, (name, value, got)
                assert type(got) is type(value), (name, value, got)
