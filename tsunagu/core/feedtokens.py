"""The secret part of a member's subscription addresses (calendar, news feeds): signed, and
carrying the version the member last renewed to."""

from __future__ import annotations

from typing import Any

from django.core import signing

from tsunagu.core import caching


def make_versioned_token(salt: str, user_id: int, network_id: int, version: int = 0) -> str:
    """Version 0 keeps the form the addresses had before members could renew them, so that
    existing subscriptions go on working."""
    values = [user_id, network_id, version] if version else [user_id, network_id]
    return signing.dumps(values, salt=salt, compress=True)


def read_versioned_token(salt: str, token: str) -> tuple[int, int, int] | None:
    """(user id, network id, version), or None for a token that is not one of ours."""
    try:
        values = signing.loads(token, salt=salt)
        if not isinstance(values, list) or len(values) not in (2, 3):
            return None
        user_id, network_id, version = [*values, 0][:3]
        return int(user_id), int(network_id), int(version)
    except (signing.BadSignature, ValueError, TypeError):
        return None


# The version is read on every view of the list that shows the addresses (the news list, the
# event list): kept in the cache, forgotten when the member renews them or their key goes.
VERSION_SECONDS = 24 * 60 * 60


def version_key(kind: str, membership_id: int) -> str:
    """The cache entry of a member's version of ``kind`` ("news", "events")."""
    return caching.key(kind, "feed-version", membership_id)


def member_version(
    kind: str, key_model: Any, member: Any, found: dict[str, Any] | None = None
) -> int:
    """The version of ``member``'s addresses of ``kind``: the ``version`` of their row of
    ``key_model`` (NewsFeedKey, CalendarFeedKey; 0 without one), from the cache (or ``found``,
    what the page read of it already) or the database."""

    def read() -> int:
        keys = key_model.objects.filter(network_id=member.network_id, membership=member)
        return next(iter(keys.values_list("version", flat=True)[:1]), 0)

    return caching.cached(version_key(kind, member.pk), read, VERSION_SECONDS, found=found)


def forget_version(kind: str, membership_id: int) -> None:
    caching.forget(version_key(kind, membership_id))
