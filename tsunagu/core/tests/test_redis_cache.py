from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import redis
from django.contrib.auth import SESSION_KEY

from conftest import require
from tsunagu.core import redis_cache as cache_module
from tsunagu.core.redis_cache import RedisCache
from tsunagu.core.testing.servers import PrivateRedis, free_port
from tsunagu.testing.world import World


@pytest.mark.redis
def test_the_redis_cache_stores_reads_and_drops_values_with_one_client(redis_url: str) -> None:
    cache = RedisCache(redis_url, {"KEY_PREFIX": "tsunagu-test"})
    cache.set("network", {"name": "三ツ葉商事"}, 30)
    assert cache.get("network") == {"name": "三ツ葉商事"}
    assert cache.get_many(["network", "missing"]) == {"network": {"name": "三ツ葉商事"}}
    cache.delete("network")
    assert cache.get("network") is None
    assert cache._cache.get_client() is cache._cache.get_client()


# --- Redis away ---------------------------------------------------------------------------------


@pytest.fixture
def snapshot_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A private Redis that comes back from a stop with what it held at its last SAVE."""
    require("redis-server", shutil.which("redis-server") is not None)
    server = PrivateRedis(directory=tmp_path)
    server.start()
    yield server
    server.stop()


def process_cache(url: str, monkeypatch: pytest.MonkeyPatch) -> RedisCache:
    """The cache as another process has it: a client and an epoch of its own."""
    monkeypatch.setattr(cache_module, "_SHARED", {})
    monkeypatch.setattr(cache_module, "_LINKS", {})
    cache = RedisCache(url, {"KEY_PREFIX": "tsunagu"})
    assert cache._link.epoch is None  # built now, in this "process"
    return cache


@pytest.mark.redis
def test_the_first_requests_of_a_new_process_share_one_lock(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests arriving together at a process that has not read its epoch yet: one of them
    reads it, and the others wait for it instead of answering as an empty cache, which would
    give every one of them the lock a page builder takes with ``add``."""
    cache = process_cache(redis_url, monkeypatch)
    start = threading.Barrier(8)
    taken: list[bool] = []

    def request() -> None:
        start.wait()
        taken.append(cache.add("lock:directory-choices", 1, 30))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(taken) == [False] * 7 + [True]


def test_the_cache_answers_as_an_empty_one_while_redis_refuses_connections() -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", {"KEY_PREFIX": "tsunagu-test"})
    assert cache.get("network") is None
    assert cache.get("network", "既定") == "既定"
    assert cache.get_many(["network", "members"]) == {}
    assert cache.add("lock", 1) is True  # taken, so a lock taken with add() does not wait
    with pytest.raises(ValueError):
        cache.incr("version")
    cache.set("network", {"name": "三ツ葉商事"})
    assert cache.delete("network") is False
    cache.delete_many(["network"])
    assert cache.set_many({"network": 1}) == ["network"]
    assert "network" not in cache


def test_a_redis_that_hangs_costs_one_timeout_not_one_per_call() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        port = silent.getsockname()[1]
        cache = RedisCache(
            f"redis://127.0.0.1:{port}/0",
            {"KEY_PREFIX": "tsunagu-test", "OPTIONS": {"socket_timeout": 0.5}},
        )
        started = time.monotonic()
        for _ in range(200):
            assert cache.get("network") is None
        assert time.monotonic() - started < 1.5


@pytest.mark.redis
def test_what_was_dropped_during_an_outage_is_not_read_when_redis_returns_with_it(
    snapshot_redis: PrivateRedis,
) -> None:
    cache = RedisCache(snapshot_redis.url, {"KEY_PREFIX": "tsunagu"})
    cache.set("membership", {"status": "active"}, 300)
    cache.set("list-version", 7, None)
    redis.Redis.from_url(snapshot_redis.url).save()
    snapshot_redis.stop()

    # The member is suspended and an event edited while Redis is away: the drop and the bump
    # are lost.
    cache.delete("membership")
    with pytest.raises(ValueError):
        cache.incr("list-version")

    time.sleep(cache_module.RETRY_SECONDS)
    snapshot_redis.start()
    assert redis.Redis.from_url(snapshot_redis.url).keys("tsunagu:e*")  # it holds them again
    assert cache.get("membership") is None
    assert cache.get("list-version") is None
    cache.set("membership", {"status": "suspended"}, 300)
    assert cache.get("membership") == {"status": "suspended"}


@pytest.mark.redis
def test_a_process_that_missed_the_outage_does_not_read_what_redis_brought_back(
    snapshot_redis: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "EPOCH_CHECK_SECONDS", 0.0)
    idle = process_cache(snapshot_redis.url, monkeypatch)
    busy = process_cache(snapshot_redis.url, monkeypatch)
    busy.set("membership", {"status": "active"}, 300)
    assert idle.get("membership") == {"status": "active"}
    redis.Redis.from_url(snapshot_redis.url).save()
    snapshot_redis.stop()
    busy.delete("membership")  # lost; the idle process made no call meanwhile
    snapshot_redis.start()

    assert idle.get("membership") is None


@pytest.mark.redis
@pytest.mark.django_db
def test_a_logout_while_redis_is_away_stays_a_logout_when_it_returns(
    snapshot_redis: PrivateRedis, settings: Any, world: World
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "tsunagu.core.redis_cache.RedisCache",
            "LOCATION": snapshot_redis.url,
            "KEY_PREFIX": "tsunagu",
        }
    }
    store = import_module("django.contrib.sessions.backends.cached_db").SessionStore
    session = store()
    session[SESSION_KEY] = str(world.alumni_a.user.pk)
    session.save()
    key = session.session_key
    redis.Redis.from_url(snapshot_redis.url).save()
    snapshot_redis.stop()

    assert store(key).load()[SESSION_KEY] == str(world.alumni_a.user.pk)  # from the database
    store(key).delete()  # the member logs out
    assert store(key).load() == {}
    time.sleep(cache_module.RETRY_SECONDS)
    snapshot_redis.start()

    assert store(key).load() == {}
