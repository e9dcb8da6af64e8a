"""What notify reads for pages, tasks and other apps: the bell (its unread count and latest
notifications, cached per member) and each member's choices of channel.

The actions (``actions.py``) write; everything here only reads, and forgets the bell's entry
for the actions that change it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from tsunagu.core import caching
from tsunagu.tenancy.models import Network

from .kinds import CHANNELS, EMAIL, KINDS, Kind, get_kind
from .models import Notification, NotificationPreference, inbox

if TYPE_CHECKING:
    from tsunagu.accounts.models import User

# Members asked for at a time by unread_counts().
BATCH = 500


def choice(kind: Kind, channel: str, chosen: bool | None) -> bool:
    """The member's choice for the channel (``chosen``), else the kind's default."""
    return chosen if chosen is not None else kind.by_default(channel)


# The bell's number and the latest notifications are read on every page; they are cached per
# member until a notification arrives or is read.
CACHE_SECONDS = 60 * 60
RECENT = 5


def _bell_key(network_id: int, user_id: int) -> str:
    return caching.key("notify", "bell", network_id, user_id)


def bell_keys(network_id: int, user_id: int) -> list[str]:
    """The cache keys bell_for() reads, for a caller that reads several things in one call."""
    return [_bell_key(network_id, user_id)]


def bell_for(
    network: Network, user: User, prefetched: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The member's unread count and latest notifications, read together in one cache call
    (none, when ``prefetched`` holds what the caller read of bell_keys())."""

    def load() -> dict[str, Any]:
        mine = inbox(network, user.pk)
        return {
            "unread": mine.filter(read_at__isnull=True).count(),
            "recent": list(
                mine.select_related("actor")
                # Only what is shown: the cache must never hold a password hash.
                .only(
                    "network_id",
                    "kind",
                    "params",
                    "body",
                    "url",
                    "created_at",
                    "read_at",
                    "actor__name",
                )[:RECENT]
            ),
        }

    return caching.cached(_bell_key(network.pk, user.pk), load, CACHE_SECONDS, found=prefetched)


def unread_count(network: Network, user: User, prefetched: dict[str, Any] | None = None) -> int:
    return int(bell_for(network, user, prefetched)["unread"])


def forget_bell_and_recent(network: Network, user_ids: Iterable[int]) -> None:
    caching.forget(*[_bell_key(network.pk, u) for u in user_ids])


def unread_counts(network: Network, user_ids: Iterable[int]) -> dict[int, int]:
    """Each member's unread count, BATCH members per query."""
    user_ids = list(user_ids)
    counts: dict[int, int] = {}
    for start in range(0, len(user_ids), BATCH):
        rows = (
            Notification.objects.filter(
                network=network,
                recipient_id__in=user_ids[start : start + BATCH],
                in_app=True,
                read_at__isnull=True,
            )
            .values("recipient_id")
            .annotate(n=Count("id"))
        )
        counts.update((row["recipient_id"], row["n"]) for row in rows)
    return counts


def wants(network: Network, user_id: int, kind: str, channel: str) -> bool:
    """Whether the member takes notifications of ``kind`` through ``channel`` (kinds.CHANNELS)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown notification channel {channel!r}")
    pref = NotificationPreference.objects.filter(
        network=network, user_id=user_id, kind=kind
    ).first()
    return choice(get_kind(kind), channel, getattr(pref, channel) if pref is not None else None)


def choices_for(network: Network, user_id: int) -> dict[str, dict[str, bool]]:
    """For every kind, whether the member takes it through each channel, in one query."""
    saved = {
        pref.kind: pref
        for pref in NotificationPreference.objects.filter(network=network, user_id=user_id)
    }
    return {
        key: {
            channel: choice(kind, channel, getattr(saved[key], channel) if key in saved else None)
            for channel in CHANNELS
        }
        for key, kind in KINDS.items()
    }


def wants_email(network: Network, user_id: int, kind: str) -> bool:
    return wants(network, user_id, kind, EMAIL)
