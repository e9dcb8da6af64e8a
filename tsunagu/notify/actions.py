from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tsunagu.core.queue import queue_after_commit
from tsunagu.realtime.events import send_event
from tsunagu.tenancy.models import Membership, Network, Status

from .kinds import EMAIL, get_kind
from .models import Notification, NotificationPreference

if TYPE_CHECKING:
    from tsunagu.accounts.models import User


def notify(
    network: Network,
    recipients: Iterable[User | int],
    kind: str,
    *,
    params: dict[str, Any] | None = None,
    body: str = "",
    url: str = "",
    actor: User | None = None,
    mail: bool = True,
) -> list[Notification]:
    """Stores an in-app notification for each recipient and, after commit, pushes the new unread
    count live, queues the pushes to their devices and the e-mails (none with ``mail=False``: the
    caller's own mail says it).

    Only active members of ``network`` are notified: a recipient outside it is dropped silently,
    so a caller's mistake can never tell an outsider about this network.
    """
    get_kind(kind)  # fails loudly for an unregistered kind
    ids = {r if isinstance(r, int) else r.pk for r in recipients}
    member_ids = set(
        Membership.objects.filter(
            network=network, user_id__in=ids, status=Status.ACTIVE, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if actor is not None:
        member_ids.discard(actor.pk)
    if not member_ids:
        return []
    params = {"network": network.name, **(params or {})}
    created = Notification.objects.bulk_create(
        [
            Notification(
                network=network,
                recipient_id=user_id,
                actor=actor,
                kind=kind,
                params=params,
                body=body[:2000],
                url=url,
            )
            for user_id in sorted(member_ids)
        ]
    )
    forget_bell_and_recent(network, member_ids)
    _push_unread_counts(network, member_ids)
    created_ids = [n.pk for n in created]
    from tsunagu.push.tasks import queue_pushes

    queue_pushes(network, created_ids)  # to the devices of those who want it, after commit
    if not mail:
        return created

    from .tasks import send_notification_emails

    queue_after_commit(send_notification_emails, network.pk, created_ids)
    return created


# The bell's number and the latest notifications are read on every page; they are cached per
# member until a notification arrives or is read. Bump SCHEMA when the cached shape changes.
SCHEMA = "v2"
CACHE_SECONDS = 60 * 60
RECENT = 5


def _bell_key(network_id: int, user_id: int) -> str:
    return f"notify:{SCHEMA}:bell:{network_id}:{user_id}"


def bell_keys(network_id: int, user_id: int) -> list[str]:
    """The cache keys bell_for() reads, for a caller that reads several things in one call."""
    return [_bell_key(network_id, user_id)]


def bell_for(
    network: Network, user: User, prefetched: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The member's unread count and latest notifications, read together in one cache call
    (none, when ``prefetched`` holds what the caller read of bell_keys())."""
    key = _bell_key(network.pk, user.pk)
    bell = prefetched.get(key) if prefetched is not None else cache.get(key)
    if bell is None:
        mine = Notification.objects.filter(network=network, recipient=user)
        bell = {
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
        cache.set(key, bell, CACHE_SECONDS)
    return bell


def unread_count(network: Network, user: User, prefetched: dict[str, Any] | None = None) -> int:
    return int(bell_for(network, user, prefetched)["unread"])


def forget_bell_and_recent(network: Network, user_ids: Iterable[int]) -> None:
    keys = [_bell_key(network.pk, u) for u in user_ids]
    # Now, and again after commit: a page rendered in between could store the old values again.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def unread_counts(network: Network, user_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(
            network=network, recipient_id__in=list(user_ids), read_at__isnull=True
        )
        .values("recipient_id")
        .annotate(n=Count("id"))
    )
    return {row["recipient_id"]: row["n"] for row in rows}


def _push_unread_counts(network: Network, user_ids: Iterable[int]) -> None:
    user_ids = list(user_ids)
    counts = unread_counts(network, user_ids)
    for user_id in user_ids:
        send_event(network, {"type": "notifications", "unread": counts.get(user_id, 0)}, [user_id])


def do_mark_read(network: Network, user: User, notification_ids: Iterable[int] | None) -> int:
    """Marks the user's notifications read (all of them when ``notification_ids`` is None)."""
    qs = Notification.objects.filter(network=network, recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    changed = qs.update(read_at=timezone.now())
    if changed:
        forget_bell_and_recent(network, [user.pk])
        _push_unread_counts(network, [user.pk])
    return changed


def wants(network: Network, user_id: int, kind: str, channel: str) -> bool:
    """Whether the member takes notifications of ``kind`` through ``channel`` (kinds.CHANNELS)."""
    pref = NotificationPreference.objects.filter(
        network=network, user_id=user_id, kind=kind
    ).first()
    chosen = getattr(pref, channel) if pref is not None else None
    return chosen if chosen is not None else get_kind(kind).by_default(channel)


def wants_email(network: Network, user_id: int, kind: str) -> bool:
    return wants(network, user_id, kind, EMAIL)


def do_resume_email(user: User) -> None:
    """The member says their mailbox takes mail again: notification e-mails to it resume. (A
    refused address pauses them, in every network: the refusal is the address's.)"""
    from tsunagu.accounts.delivery import forget_refusal

    forget_refusal(user.email)


def do_set_email_preference(network: Network, user: User, kind: str, email: bool) -> None:
    get_kind(kind)
    NotificationPreference.objects.update_or_create(
        network=network, user=user, kind=kind, defaults={"email": email}
    )
