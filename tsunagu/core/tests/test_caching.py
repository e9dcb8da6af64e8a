"""core/caching.py against the real Redis: invalidation after commit, counters, namespaces, the
deploy-wide prefix, and expensive entries rebuilt by one request while the others keep going."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.db import transaction

from tsunagu.core import caching

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_cache(redis_url: str, settings: Any) -> redis.Redis:
    """The production backend on the test database of Redis (TSUNAGU_TEST_REDIS)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "tsunagu.core.redis_cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        }
    }
    return redis.Redis.from_url(redis_url)


def at_once(count: int, call: Callable[[], Any]) -> list[Any]:
    """``call()`` from ``count`` threads released together, as requests in flight; their
    answers."""
    start = threading.Barrier(count)
    answers: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            answers[index] = call()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return answers


class Builder:
    """A build that takes a while and counts how often it ran."""

    def __init__(self, value: str, seconds: float = 0.5, fails: bool = False) -> None:
        self.value, self.seconds, self.fails = value, seconds, fails
        self.runs = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.runs += 1
        time.sleep(self.seconds)
        if self.fails:
            raise RuntimeError("the database went away")
        return self.value


# --- Expensive entries: no stampede ---------------------------------------------------------------


def test_an_out_of_date_expensive_entry_is_rebuilt_once_while_the_others_get_the_old_value(
    redis_cache: redis.Redis,
) -> None:
    name = caching.key("test", "choices")
    caching.cached_expensive(name, Builder("old", 0), version=1, refresh_after=3600)
    build = Builder("new")

    answers = at_once(
        8, lambda: caching.cached_expensive(name, build, version=2, refresh_after=3600)
    )

    assert build.runs == 1
    assert sorted(answers) == ["new"] + ["old"] * 7
    assert caching.cached_expensive(name, build, version=2, refresh_after=3600) == "new"
    assert build.runs == 1


def test_an_expired_expensive_entry_is_refreshed_once_while_the_others_get_the_old_value(
    redis_cache: redis.Redis,
) -> None:
    name = caching.key("test", "choices")
    caching.cached_expensive(name, Builder("old", 0), refresh_after=3600)
    build = Builder("new")

    # The entry is an hour old for readers that keep it for a second only.
    answers = at_once(8, lambda: caching.cached_expensive(name, build, refresh_after=0))

    assert build.runs == 1
    assert sorted(answers) == ["new"] + ["old"] * 7


def test_without_any_previous_value_the_others_wait_for_the_one_builder(
    redis_cache: redis.Redis,
) -> None:
    name = caching.key("test", "choices")
    build = Builder("new")

    answers = at_once(8, lambda: caching.cached_expensive(name, build, refresh_after=3600))

    assert build.runs == 1
    assert answers == ["new"] * 8


def test_a_builder_that_fails_lets_the_next_request_build(redis_cache: redis.Redis) -> None:
    name = caching.key("test", "choices")
    with pytest.raises(RuntimeError):
        caching.cached_expensive(name, Builder("new", 0, fails=True), refresh_after=3600)

    started = time.monotonic()
    assert caching.cached_expensive(name, Builder("new", 0), refresh_after=3600) == "new"
    assert time.monotonic() - started < 1  # no lock left behind to wait for


def test_with_a_queued_rebuild_no_request_builds_an_out_of_date_entry(
    redis_cache: redis.Redis,
) -> None:
    name = caching.key("test", "choices")
    caching.cached_expensive(name, Builder("old", 0), version=1, refresh_after=3600)
    build, queued = Builder("new"), []

    answers = at_once(
        8,
        lambda: caching.cached_expensive(
            name, build, version=2, refresh_after=3600, rebuild_later=lambda: queued.append(1)
        ),
    )

    assert answers == ["old"] * 8  # no member waited for the build
    assert build.runs == 0 and len(queued) == 1  # queued once
    # The task: built under the version as it is now, then every request reads it.
    assert caching.rebuild_expensive(name, Builder("new", 0), version=2) == "new"
    assert caching.cached_expensive(name, build, version=2, refresh_after=3600) == "new"
    assert build.runs == 0


def test_a_rebuild_that_cannot_be_queued_is_tried_again_by_a_later_request(
    redis_cache: redis.Redis,
) -> None:
    name = caching.key("test", "choices")
    caching.cached_expensive(name, Builder("old", 0), version=1, refresh_after=3600)
    tries = []

    def broker_away() -> None:
        tries.append(1)
        raise ConnectionError("the broker is away")

    for _ in range(2):
        answer = caching.cached_expensive(
            name, Builder("new", 0), version=2, refresh_after=3600, rebuild_later=broker_away
        )
        assert answer == "old"
    assert len(tries) == 2  # the lock was let go after the first failure


# --- Invalidation, counters and namespaces --------------------------------------------------------


@pytest.mark.django_db
def test_a_forgotten_entry_stored_again_before_the_commit_is_forgotten_after_it(
    redis_cache: redis.Redis, django_capture_on_commit_callbacks: Any
) -> None:
    name = caching.key("test", "network", 1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        caching.store(name, "old name", 60)
        caching.forget(name)  # the write renames the network
        assert caching.read(name) is None
        caching.store(name, "old name", 60)  # a page read the old row before the commit
    assert caching.read(name) is None


def test_bumps_from_many_requests_at_once_are_all_counted(redis_cache: redis.Redis) -> None:
    name = caching.key("test", "version")
    first = caching.counter(name)

    at_once(8, lambda: [caching.bump(name) for _ in range(25)])

    assert caching.counter(name) == first + 200


def test_a_counter_lost_from_the_cache_begins_again_above_every_number_it_had(
    redis_cache: redis.Redis,
) -> None:
    name = caching.key("test", "version")
    caching.bump(name)
    caching.bump(name)
    before = caching.counter(name)
    caching.forget(name)  # evicted

    assert caching.counter(name) > before
    caching.forget(name)
    caching.bump(name)  # a bump that finds it missing begins it too
    assert caching.counter(name) > before


def test_clearing_a_namespace_drops_everything_about_its_object_only(
    redis_cache: redis.Redis,
) -> None:
    mine, other = (
        caching.Namespace("test", "directory", 1),
        caching.Namespace("test", "directory", 2),
    )
    caching.store(mine.key("search", "田中"), [1, 2], 60)
    caching.store(mine.key("search", "佐藤"), [3], 60)
    caching.store(other.key("search", "田中"), [4], 60)

    mine.clear()

    assert caching.read(mine.key("search", "田中")) is None
    assert caching.read(mine.key("search", "佐藤")) is None
    assert caching.read(other.key("search", "田中")) == [4]


def test_a_new_cache_schema_reads_nothing_the_previous_code_wrote(
    redis_cache: redis.Redis, settings: Any
) -> None:
    name = caching.key("tenancy", "network", "mitsuba")
    caching.store(name, {"shape": "old"}, 60)
    assert caching.read(name) == {"shape": "old"}
    assert all(
        k.startswith(settings.CACHE_KEY_PREFIX.encode() + b":") for k in redis_cache.scan_iter()
    )

    settings.CACHE_SCHEMA += 1
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"tsunagu:s{settings.CACHE_SCHEMA}"}
    }

    assert caching.read(name) is None
