"""portal.cache.RedisCache: Django's Redis cache with its client kept, against a real Redis."""

import os
import threading
import uuid

import pytest

from portal.cache import RedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_REDIS_URL); CI provides it")


def test_the_kept_client_caches_like_djangos_and_is_reused():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("a", ("generation", "<p>fragment</p>"), 30)
    assert cache.get_many(["a", "missing"]) == {"a": ("generation", "<p>fragment</p>")}
    cache.set("n", 41)
    assert cache.incr("n") == 42
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client(write=False) is first  # one server: one pool, one client

    errors = []

    def worker(i):
        try:
            for j in range(50):
                cache.set(f"t{i}", j)
                assert cache.get(f"t{i}") == j
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    cache.clear()
