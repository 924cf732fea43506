"""Django's Redis cache, keeping its client.

Django builds a new ``redis.Redis`` for every cache call (its ``__init__`` fills a table of
response callbacks: about 0.06 ms of CPU), and a page served from cached fragments makes one or
two such calls (portal/fragments.py). ``redis.Redis`` is safe to share between threads, so one
per connection pool is kept."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._kept.get(id(pool))
        if client is None:
            client = self._kept[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptRedisCacheClient
