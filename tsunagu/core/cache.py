"""Django's Redis cache, keeping one client per connection pool, and one pool per process.

Django builds a new ``redis.Redis`` object for every cache call, and building one costs more than
the call itself on a page that reads the cache a few times. A client is safe to share between
threads: it takes a connection from its pool for each command.

Django also makes one cache object per thread and per asynchronous context: under ASGI every
websocket connection is a context of its own, so each one got its own pool and its own TCP
connection to Redis, kept as long as the socket stayed open. The pools are shared instead.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            self._clients[index] = client
        return client


_SHARED: dict[tuple[tuple[str, ...], str], RedisCacheClient] = {}


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        servers = tuple(self._servers)  # type: ignore[attr-defined]
        options = self._options  # type: ignore[attr-defined]
        key = (servers, repr(sorted(options.items())))
        client = _SHARED.get(key)
        if client is None:
            client = _SHARED.setdefault(key, self._class(list(servers), **options))
        return client
