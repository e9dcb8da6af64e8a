"""Django's Redis cache, keeping one client per connection pool and one pool per process, and
answering as an empty cache while Redis cannot be reached.

This is the production backend (``CACHES`` in the settings); the code reads and writes the
cache through ``core/caching.py`` only.

Django builds a new ``redis.Redis`` object for every cache call, and building one costs more than
the call itself on a page that reads the cache a few times. A client is safe to share between
threads: it takes a connection from its pool for each command.

Django also makes one cache object per thread and per asynchronous context: under ASGI every
websocket connection is a context of its own, so each one got its own pool and its own TCP
connection to Redis, kept as long as the socket stayed open. The pools are shared instead.

**Redis away.** When Redis does not answer, every call answers as a cache that keeps nothing
would: ``get`` the default, ``get_many`` nothing, ``incr`` ValueError (no such key), ``delete``
and ``touch`` False, ``set`` and the deletes do nothing, and ``add`` True (stored, and gone at
once): code that takes a lock with ``add``, as allauth's rate limits do, goes on instead of
waiting for a lock it can never get. Pages are then built from the database and sessions read
from it (``cached_db``). After a failure Redis is left alone for ``RETRY_SECONDS``, so a Redis
that hangs costs one request of the process a connect timeout now and then, not every call.
The log says so once a minute at most.

**What an outage must not leave behind.** Invalidations made during an outage are lost: a
``delete`` after a suspension or a logout, a version ``incr`` after an edit. Redis may come back
holding the entries from before (restarted from its snapshot, or only out of this process's
reach), and reading them would let a suspended member in or show a stale list. So every key
carries an epoch (``<prefix>:e<epoch>:…``), kept in Redis under ``<prefix>:epoch`` beside the
run id of the server that began it, and a new epoch begins

- when a process that saw Redis fail reaches it again, before it reads anything;
- when the server is not the one that began the epoch (restarted, perhaps from a snapshot, or
  replaced), or the epoch key is gone or went back: every process checks this each
  ``EPOCH_CHECK_SECONDS``, whether or not it noticed the outage.

A new epoch is above the stored one, above the caller's last one and no lower than the server's
clock in seconds, so no epoch whose entries may still be in Redis comes back. Entries of an old
epoch are never read again and go with their timeouts; the few counters kept without one (list
versions, the talk generation) stay behind, a handful of small keys per network and outage.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis import exceptions as redis_errors

log = logging.getLogger(__name__)

T = TypeVar("T")

# Without them a Redis that stops answering (rather than refusing) holds a request for minutes.
DEFAULT_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}
RETRY_SECONDS = 1.0
EPOCH_CHECK_SECONDS = 1.0
WARN_EVERY_SECONDS = 60.0
FIRST_EPOCH_WAIT_SECONDS = sum(DEFAULT_OPTIONS.values())

# The epoch to use, beginning a new one when needed (see above); ARGV: the caller's epoch, and
# 1 when the caller is back from an outage. One step on the server, so two processes that begin
# an epoch together end with the same one.
EPOCH_SCRIPT = """
local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local epoch, owner = 0, ''
local stored = redis.call('GET', KEYS[1])
if stored then
  local e, o = string.match(stored, '^(%d+):(%w+)$')
  epoch, owner = tonumber(e) or 0, o or ''
end
local floor = tonumber(ARGV[1])
if owner == run_id and epoch >= floor and ARGV[2] == '0' then
  return epoch
end
epoch = math.max(epoch + 1, floor + 1, tonumber(redis.call('TIME')[1]))
redis.call('SET', KEYS[1], epoch .. ':' .. run_id)
return epoch
"""


def unavailable(error: redis_errors.RedisError) -> bool:
    """Redis cannot serve now (unreachable, loading, read-only, out of memory, cannot save its
    snapshot), as opposed to a command that is wrong."""
    if isinstance(
        error,
        redis_errors.ConnectionError
        | redis_errors.TimeoutError
        | redis_errors.ReadOnlyError
        | redis_errors.OutOfMemoryError,
    ):
        return True
    return isinstance(error, redis_errors.ResponseError) and str(error).startswith("MISCONF")


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


class Link:
    """What a process knows of its Redis: the epoch its keys carry, and whether Redis answers.

    Shared by the process's threads; the lock is only taken to read or begin an epoch, and a
    thread that finds it taken does not wait for it."""

    def __init__(self, client: RedisCacheClient, epoch_key: str) -> None:
        self.client = client
        self.epoch_key = epoch_key
        self.epoch: int | None = None
        self.checked_at = float("-inf")
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.warned_at = float("-inf")
        self._lock = threading.Lock()
        self._script: Any = None

    def usable(self) -> bool:
        """Whether to call Redis now; reads or begins the epoch first when that is due."""
        now = time.monotonic()
        if self.down_since is None and now - self.checked_at < EPOCH_CHECK_SECONDS:
            return True
        if self.down_since is not None and now < self.retry_at:
            return False
        if not self._lock.acquire(blocking=False):
            if self.epoch is not None:
                # Another thread is reading the epoch: go on with ours, unless Redis was away.
                return self.down_since is None
            # The process's first calls: until one of them has read the epoch there is no key
            # to use, and answering as an empty cache would hand every one of them a lock
            # (``add``). They wait for the reader, no longer than Redis may take to answer.
            if not self._lock.acquire(timeout=FIRST_EPOCH_WAIT_SECONDS):
                return False
            if self.epoch is not None or self.down_since is not None:
                self._lock.release()
                return self.down_since is None
        try:
            self._settle(now)
        except redis_errors.RedisError as error:  # also a server that refuses the script
            self.failed(error)
            return False
        finally:
            self._lock.release()
        return True

    def _settle(self, now: float) -> None:
        if self._script is None:
            self._script = self.client.get_client(write=True).register_script(EPOCH_SCRIPT)
        down_since, previous = self.down_since, self.epoch
        back = int(down_since is not None)
        self.epoch = int(self._script(keys=[self.epoch_key], args=[previous or 0, back]))
        self.checked_at = now
        if down_since is not None:
            log.warning(
                "cache: Redis answers again after %.0f s; entries from before are not read "
                "(epoch %s)",
                now - down_since,
                self.epoch,
            )
            self.down_since = None
        elif previous is not None and self.epoch != previous:
            log.info(
                "cache: epoch %s; entries of epoch %s are not read any more", self.epoch, previous
            )

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        self.retry_at = now + RETRY_SECONDS
        if self.down_since is None:
            self.down_since = now
            self.warned_at = now
            log.warning(
                "cache: Redis does not answer (%s); pages are built from the database until "
                "it does",
                error,
            )
        elif now - self.warned_at >= WARN_EVERY_SECONDS:
            self.warned_at = now
            log.warning(
                "cache: Redis still does not answer after %.0f s (%s)", now - self.down_since, error
            )


_SHARED: dict[tuple[tuple[str, ...], str], RedisCacheClient] = {}
_LINKS: dict[tuple[int, str], Link] = {}
_MISSING = object()


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._options = {**DEFAULT_OPTIONS, **self._options}  # type: ignore[has-type]

    @cached_property
    def _cache(self) -> RedisCacheClient:
        servers = tuple(self._servers)  # type: ignore[attr-defined]
        options = self._options
        key = (servers, repr(sorted(options.items())))
        client = _SHARED.get(key)
        if client is None:
            client = _SHARED.setdefault(key, self._class(list(servers), **options))
        return client

    @cached_property
    def _link(self) -> Link:
        client = self._cache
        key = (id(client), self.key_prefix)
        link = _LINKS.get(key)
        if link is None:
            link = _LINKS.setdefault(key, Link(client, f"{self.key_prefix}:epoch"))
        return link

    def make_key(self, key: str, version: int | None = None) -> str:
        if version is None:
            version = self.version
        return self.key_func(key, f"{self.key_prefix}:e{self._link.epoch or 0}", version)

    def _call(self, fallback: Any, method: Callable[..., T], *args: Any) -> T | Any:
        link = self._link
        if not link.usable():
            return fallback
        try:
            return method(*args)
        except redis_errors.RedisError as error:
            if not unavailable(error):
                raise
            link.failed(error)
            return fallback

    def reachable(self) -> bool:
        """Whether Redis answers now, asked directly (for the health check)."""
        try:
            return bool(self._cache.get_client().ping())
        except redis_errors.RedisError:
            return False

    # Every call Django's RedisCache makes to Redis, answered as a miss while Redis is away.

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._call(True, super().add, key, value, timeout, version))

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call(default, super().get, key, default, version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call(None, super().set, key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call(False, super().touch, key, timeout, version))

    def delete(self, key: str, version: int | None = None) -> bool:
        return bool(self._call(False, super().delete, key, version))

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self._call({}, super().get_many, keys, version)
        return found

    def has_key(self, key: str, version: int | None = None) -> bool:
        return bool(self._call(False, super().has_key, key, version))

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        value = self._call(_MISSING, super().incr, key, delta, version)
        if value is _MISSING:
            raise ValueError(f"Key '{key}' not found.")  # as for a missing key: callers set it
        return int(value)

    def bump(self, key: str, start: int, version: int | None = None) -> int:
        """Adds one to the counter ``key``, set to ``start`` first when it is missing: one round
        trip, and atomic, where ``incr()`` and then ``set()`` on a miss is neither (two
        processes that both miss would both set it, and one step would be lost). Stored as a
        plain integer, which ``get()`` reads back as one."""

        def step() -> int:
            name = self.make_and_validate_key(key, version=version)
            with self._cache.get_client(name, write=True).pipeline(transaction=True) as pipe:
                pipe.set(name, start, nx=True)
                pipe.incr(name)
                return int(pipe.execute()[1])

        return int(self._call(start, step))

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        failed: list[str] = self._call(list(data), super().set_many, data, timeout, version)
        return failed

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        self._call(None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._call(None, super().clear)
