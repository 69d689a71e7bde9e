"""ConnectionPool without a server: sizes, reuse, waiting, the timeout."""

from __future__ import annotations

import threading
import time

import pytest

from nextorm import ConnectionPool, NextORMError, PoolTimeoutError


class Conn:
    closed = False

    def close(self) -> None:
        self.closed = True


def test_min_size_opens_at_once_and_max_size_caps():
    made = []
    pool = ConnectionPool(lambda: made.append(Conn()) or made[-1], min_size=2, max_size=3,
                          timeout=0.05)
    assert pool.pool_size == 2 and pool.idle_count == 2
    a, b, c = pool.acquire(), pool.acquire(), pool.acquire()
    assert len({id(a), id(b), id(c)}) == 3 and pool.pool_size == 3 and pool.idle_count == 0
    with pytest.raises(PoolTimeoutError, match="all 3 pooled connections stayed in use"):
        pool.acquire()
    pool.release(b)
    assert pool.acquire() is b  # reused, not a new one
    assert len(made) == 3


def test_a_waiting_thread_gets_the_connection_given_back():
    pool = ConnectionPool(Conn, min_size=0, max_size=1, timeout=5)
    held = pool.acquire()
    got = []
    waiter = threading.Thread(target=lambda: got.append(pool.acquire()))
    waiter.start()
    time.sleep(0.05)
    assert got == []
    pool.release(held)
    waiter.join(2)
    assert got == [held]


def test_close_all_closes_idle_ones_and_discard_makes_room():
    pool = ConnectionPool(Conn, min_size=2, max_size=2, timeout=0.01)
    idle = list(pool._idle)
    pool.close_all()
    assert all(c.closed for c in idle) and pool.pool_size == 0
    a, b = pool.acquire(), pool.acquire()
    pool.discard(a)
    assert a.closed and pool.pool_size == 1
    assert pool.acquire() is not b


def test_sizes_are_checked():
    with pytest.raises(NextORMError, match="pool_min <= pool_max"):
        ConnectionPool(Conn, min_size=3, max_size=2)
