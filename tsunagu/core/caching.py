"""Everything the code keeps in the cache goes through this module: how keys are named, how an
entry is built on a miss, how writes make it go, counters, and entries too slow to build twice.

The cache is Redis in production (``core/redis_cache.py``, which also keeps the site up while
Redis is away) and process memory in the embedded setup. Nothing else imports Django's cache,
except the authentication backend (``accounts/backends.py``), which reads the signed-in user
on every request; a test (``core/tests/test_cache_imports.py``) keeps it so.

**Keys.** ``key("tenancy", "membership", network_id, user_id)`` joins its parts with ``:``, and
adds the active language and time zone when the value depends on them. Keys carry no schema
version of their own: the backend puts ``CACHE_KEY_PREFIX`` (``tsunagu:s<CACHE_SCHEMA>``, see
the settings) in front of every key, so raising ``CACHE_SCHEMA`` once, with any change to the
shape of a cached value, means a deployment never reads what the previous code wrote.

**Which tool.**

- ``cached(key, build, timeout)``: a value built on a miss. ``found=`` passes what the caller
  read already with ``read_many()``: a page reads its entries and the header's in one round
  trip, and nothing more when they are there.
- ``forget(*keys)``: a write made those entries wrong. They go now and, inside a transaction,
  again once it commits: a page that reads between the two would otherwise store the old rows
  again for the whole timeout.
- ``bump(name)`` and ``counter(name)``: a version that entries are built under, moved on by the
  writes that change them (an entry remembers the version it was built at, and is built again
  when it differs). Counters begin at a value taken from the clock, so one that was evicted
  never comes back to a number that entries still carry.
- ``Namespace(*parts)``: everything kept about one object (a network's directory searches, its
  event list), under a version in every key; ``clear()`` drops all of it at once by moving the
  version on, and the old entries are never read again (pretix's ``ObjectRelatedCache``).
- ``cached_expensive(key, build, version=…, refresh_after=…)``: a value that takes seconds to
  build. One request rebuilds it while the others go on with the previous value, so an entry
  that goes out of date never sends every request in flight to the database at once.
- ``cached_html()`` and ``cached_rows()``: HTML rendered by our templates, as one block or one
  entry per row of a list.

Revisions of rows shown on shared pages (a thread, a room, an event) are columns of those rows,
read with them: ``core/revisions.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

HOUR = 60 * 60
ROWS_TIMEOUT = HOUR


# --- Keys and plain reads -----------------------------------------------------------------------


def key(*parts: object, language: bool | str = False, zone: bool | str = False) -> str:
    """The key of ``parts`` ("app", "what", ids…), followed by the active language and time
    zone when ``language`` or ``zone`` is True (or by the one given)."""
    names = [str(part) for part in parts]
    if language:
        names.append(get_language() if language is True else language)
    if zone:
        names.append(timezone.get_current_timezone_name() if zone is True else zone)
    return ":".join(names)


def read(name: str, default: Any = None) -> Any:
    return cache.get(name, default)


def read_many(names: Iterable[str]) -> dict[str, Any]:
    """Several entries in one round trip: those that are there."""
    return cache.get_many(list(names))


def store(name: str, value: Any, timeout: int | None) -> None:
    cache.set(name, value, timeout)


def cached(
    name: str,
    build: Callable[[], T],
    timeout: int | None,
    *,
    found: Mapping[str, Any] | None = None,
    fresh: bool = False,
) -> T:
    """The entry ``name``, or what ``build()`` returns, then kept for ``timeout`` seconds
    (``None``: until forgotten). ``found``: what the caller read already (no round trip here);
    ``fresh``: build it whatever is kept. A ``None`` from ``build()`` is not kept."""
    if not fresh:
        value = found.get(name) if found is not None else cache.get(name)
        if value is not None:
            return value
    value = build()
    if value is not None:
        cache.set(name, value, timeout)
    return value


def cached_html(name: str, render: Callable[[], str], timeout: int) -> SafeString:
    """A block of HTML rendered by our own templates (escaped there), kept under ``name``."""
    return mark_safe(cached(name, render, timeout))  # noqa: S308 - our templates


# --- Invalidation ---------------------------------------------------------------------------------


def _now_and_after_commit(action: Callable[[], object]) -> None:
    action()
    if transaction.get_connection().in_atomic_block:
        # Outside a transaction the write is committed already: once is enough.
        transaction.on_commit(action)


def forget(*names: str) -> None:
    """Drops the entries: now, and again after the transaction commits."""
    if names:
        listed = list(names)
        _now_and_after_commit(lambda: cache.delete_many(listed))


def _start() -> int:
    return time.time_ns()


def _step(name: str) -> int:
    atomic = getattr(cache, "bump", None)  # the Redis backend: one atomic round trip
    if atomic is not None:
        return int(atomic(name, _start()))
    try:
        return int(cache.incr(name))
    except ValueError:
        start = _start()
        if cache.add(name, start, None):
            return start
        return int(cache.incr(name))


def bump(name: str) -> None:
    """Moves the counter ``name`` on: now, and again after the transaction commits, so that an
    entry built in between under the new number from the old rows is not read either."""
    _now_and_after_commit(lambda: _step(name))


def counter(name: str, found: Mapping[str, Any] | None = None) -> int:
    """The counter's number (``found``: what the caller read already), begun when missing."""
    value = found.get(name) if found is not None else cache.get(name)
    if value is None:
        value = _start()
        if not cache.add(name, value, None):
            value = cache.get(name, value)
    return int(value)


def count_hit(name: str, window: int) -> int:
    """How many times ``name`` was counted in its window, this one included (rate limits)."""
    if cache.add(name, 1, window):
        return 1
    try:
        return int(cache.incr(name))
    except ValueError:  # the window ended between the two calls
        return 1


class Namespace:
    """Everything kept about one object, dropped at once by ``clear()``.

    Every key of the namespace carries its version, so reading one needs the version first:
    pass ``version_key`` to the ``read_many()`` that reads the page's other entries, and what
    was found to ``key()``.
    """

    def __init__(self, *parts: object) -> None:
        self.name = key(*parts)
        self.version_key = key(self.name, "version")

    def key(
        self,
        *parts: object,
        found: Mapping[str, Any] | None = None,
        language: bool | str = False,
        zone: bool | str = False,
    ) -> str:
        version = counter(self.version_key, found)
        return key(self.name, version, *parts, language=language, zone=zone)

    def clear(self) -> None:
        bump(self.version_key)


# --- Entries too slow to build twice --------------------------------------------------------------

# An expensive entry outlives its freshness by far, so that a previous value is there to serve
# while one request builds the next.
KEEP_SECONDS = 24 * HOUR
# The builder's lock lasts this long at most (a builder that died lets another try after it).
LOCK_SECONDS = 60
# With no previous value, other requests wait this long for the builder before building too.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05


def cached_expensive(
    name: str,
    build: Callable[[], T],
    *,
    version: object = None,
    refresh_after: int,
    found: Mapping[str, Any] | None = None,
    rebuild_later: Callable[[], object] | None = None,
) -> T:
    """A value that takes seconds to build, rebuilt once at a time, never by every request.

    It is rebuilt once ``version`` differs from the one it was built under (the writes that
    change its inputs move the version on) or ``refresh_after`` seconds after it was built. The
    request that takes the lock (``cache.add``) has it rebuilt; every other one gets the previous
    value meanwhile. With ``rebuild_later`` (which queues a task that calls
    ``rebuild_expensive()``), that request too answers with the previous value, and no member
    waits seconds for a page. Only when there is no value at all (a cold cache) is it built in a
    request, and the others wait for that builder, up to ``WAIT_SECONDS``, rather than all
    building it at once.
    """
    entry = found.get(name) if found is not None else cache.get(name)
    if entry is not None and _current(entry, version, refresh_after):
        return entry[2]
    lock = key(name, "lock")
    if entry is not None:
        if cache.add(lock, 1, LOCK_SECONDS):
            if rebuild_later is None:
                return _rebuild(name, lock, build, version, refresh_after)
            try:
                rebuild_later()
            except Exception:
                cache.delete(lock)  # the queue is away: a later request tries again
                log.warning("could not queue the rebuild of %s", name, exc_info=True)
        return entry[2]
    deadline = time.monotonic() + WAIT_SECONDS
    while not cache.add(lock, 1, LOCK_SECONDS):
        if time.monotonic() >= deadline:
            return build()  # the builder is late or gone: this request waits no longer
        time.sleep(POLL_SECONDS)
        entry = cache.get(name)
        if entry is not None:
            return entry[2]
    return _rebuild(name, lock, build, version, refresh_after)


def _current(entry: tuple[object, float, Any], version: object, refresh_after: int) -> bool:
    built_under, built_at, _value = entry
    return built_under == version and time.time() - built_at < refresh_after


def _rebuild(
    name: str, lock: str, build: Callable[[], T], version: object, refresh_after: int
) -> T:
    try:
        # The request that held the lock before may have finished it since this one looked.
        entry = cache.get(name)
        if entry is not None and _current(entry, version, refresh_after):
            return entry[2]
        value = build()
        cache.set(name, (version, time.time(), value), KEEP_SECONDS)
    finally:
        cache.delete(lock)
    return value


def rebuild_expensive(name: str, build: Callable[[], T], *, version: object = None) -> T:
    """Builds the entry of cached_expensive() now and keeps it under ``version``, the version
    its inputs have now (a task's side of ``rebuild_later``); lets the next rebuild start."""
    try:
        value = build()
        cache.set(name, (version, time.time(), value), KEEP_SECONDS)
    finally:
        cache.delete(key(name, "lock"))
    return value


# --- Rows of lists --------------------------------------------------------------------------------


def cached_rows(
    name: str,
    items: list[R],
    version: Callable[[R], object],
    render: Callable[[R], str],
    prepare: Callable[[list[R]], object] | None = None,
) -> list[SafeString]:
    """The HTML of each row of a list, rendered once per version, language and time zone.

    ``version(item)`` must change whenever the row's HTML would (an ``updated_at``, a count shown
    in it...), so rows are never forgotten, only superseded; nothing in a row may depend on who
    is looking. One cache round trip reads every row of a page; the missing ones are rendered
    and stored together. ``prepare(missing)`` runs once before they are rendered (to fetch in
    one query what only rendering needs).
    """
    prefix = key("row", name, language=True, zone=True)
    names = [key(prefix, version(item)) for item in items]
    found = cache.get_many(names)
    absent = [(row, item) for row, item in zip(names, items, strict=True) if row not in found]
    if absent and prepare is not None:
        prepare([item for _row, item in absent])
    missing = {row: render(item) for row, item in absent}
    if missing:
        cache.set_many(missing, ROWS_TIMEOUT)
    return [mark_safe(found.get(row) or missing[row]) for row in names]  # noqa: S308 - our templates


# --- Operations -----------------------------------------------------------------------------------


def reachable() -> bool:
    """Whether the cache answers now (the process's own memory always does)."""
    check = getattr(cache, "reachable", None)
    return True if check is None else bool(check())


def forget_entries_containing(secrets: list[str]) -> int:
    """Deletes every entry whose stored value holds one of ``secrets``; returns how many.

    For an erasure, which cannot wait for entries that are only superseded (a renamed member's
    old name) to expire. Values are pickled, and pickle keeps text as UTF-8, so a byte search
    finds them. Walks the whole cache: rare (one run per erasure), linear in its size.
    """
    needles = [s.encode() for s in secrets if s]
    if not needles:
        return 0
    backend = getattr(cache, "_cache", None)
    forgotten = 0
    if isinstance(backend, dict):  # LocMemCache: the process's own dictionary
        with cache._lock:  # type: ignore[attr-defined]
            for name in [k for k, v in backend.items() if any(n in v for n in needles)]:
                backend.pop(name, None)
                forgotten += 1
        return forgotten
    if backend is not None and hasattr(backend, "get_client"):  # Redis
        client = backend.get_client(write=True)
        for name in client.scan_iter(count=1000):
            value = client.get(name)
            if isinstance(value, bytes) and any(n in value for n in needles):
                client.delete(name)
                forgotten += 1
    return forgotten
