"""Forgetting cached entries that name an erased person.

Most cached pages are keyed by versions that the erasure's writes move on (a thread's revision,
a membership's save, the user's save), but some entries are only superseded, not deleted, and
live out their timeout (a renamed member's old name, for ten minutes). An erasure cannot wait:
this walks the cache once and deletes every entry whose stored value holds one of the person's
names or addresses. Values are pickled, and pickle keeps text as UTF-8, so a byte search finds
them. Rare (one run per erasure), and linear in the size of the cache.
"""

from __future__ import annotations

from django.core.cache import cache


def forget_entries_containing(secrets: list[str]) -> int:
    needles = [s.encode() for s in secrets if s]
    if not needles:
        return 0
    backend = getattr(cache, "_cache", None)
    forgotten = 0
    if isinstance(backend, dict):  # LocMemCache: the process's own dictionary
        with cache._lock:  # type: ignore[attr-defined]
            for key in [k for k, v in backend.items() if any(n in v for n in needles)]:
                backend.pop(key, None)
                forgotten += 1
        return forgotten
    if backend is not None and hasattr(backend, "get_client"):  # Redis
        client = backend.get_client(write=True)
        for key in client.scan_iter(count=1000):
            value = client.get(key)
            if isinstance(value, bytes) and any(n in value for n in needles):
                client.delete(key)
                forgotten += 1
    return forgotten
