"""Blocks of HTML that look the same to every member of a network, rendered once and cached.

A block is kept per network, language and time zone (its times are in the viewer's zone) until
its app forgets it after a write, or an hour passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import override

TIMEOUT = 60 * 60
T = TypeVar("T")


def _key(name: str, network_id: int, language: str, zone: str | None = None) -> str:
    zone = zone or timezone.get_current_timezone_name()
    return f"fragment:{name}:{network_id}:{language}:{zone}"


def cached_fragment(
    name: str, network_id: int, language: str, render: Callable[[], str]
) -> SafeString:
    """The block ``name`` (which should carry a schema version) for this network and language."""
    key = _key(name, network_id, language)
    html = cache.get(key)
    if html is None:
        with override(language):
            html = render()
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by our own templates, escaped there


def forget_fragment(name: str, network_id: int) -> None:
    from tsunagu.accounts.models import TIME_ZONES

    zones = {settings.TIME_ZONE, *TIME_ZONES}
    keys = [_key(name, network_id, code, z) for code, _name in settings.LANGUAGES for z in zones]
    # Now, and again after commit: a page rendered in between could store the old block again.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def cached_rows(
    name: str,
    items: list[T],
    version: Callable[[T], object],
    render: Callable[[T], str],
    prepare: Callable[[list[T]], object] | None = None,
) -> list[SafeString]:
    """The HTML of each row of a list, rendered once per version, language and time zone.

    ``version(item)`` must change whenever the row's HTML would (an ``updated_at``, a count shown
    in it...), so rows are never forgotten, only superseded; nothing in a row may depend on who
    is looking. One cache round trip reads every row of a page; the missing ones are rendered
    and stored together. ``prepare(missing)`` runs once before they are rendered (to fetch in
    one query what only rendering needs).
    """
    from django.utils.translation import get_language

    language, zone = get_language(), timezone.get_current_timezone_name()
    keys = [f"row:{name}:{language}:{zone}:{version(item)}" for item in items]
    found = cache.get_many(keys)
    absent = [(key, item) for key, item in zip(keys, items, strict=True) if key not in found]
    if absent and prepare is not None:
        prepare([item for _key, item in absent])
    missing = {key: render(item) for key, item in absent}
    if missing:
        cache.set_many(missing, TIMEOUT)
    return [mark_safe(found.get(key) or missing[key]) for key in keys]  # noqa: S308 - our templates
