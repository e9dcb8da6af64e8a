"""Writes of the home feed: visits and welcomes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from tsunagu.core import caching
from tsunagu.notify.actions import notify
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Membership

from .models import Visit, Welcome

# A member who comes back after this long starts a new visit: what appeared since the end of
# the previous one is marked new, and stays marked while they read and scroll.
PAUSE = timedelta(minutes=30)
# Within a visit the time of the last look is written at most this often: reloads cost no write.
TOUCH = timedelta(minutes=1)


def visit_key(member: Membership) -> str:
    return caching.key("feed", "visit", member.pk)


def do_record_visit(
    member: Membership, *, looking: bool = True, found: dict[str, Any] | None = None
) -> datetime | None:
    """The time from which items are new to the member; records the visit when ``looking``.

    The visit is also kept in the cache: reloads within ``TOUCH`` read nothing from the database
    (``found``: what the caller read of visit_key() already).
    """
    now = timezone.now()
    key = visit_key(member)
    known = found.get(key) if found is not None else caching.read(key)
    if known is not None and (not looking or now - known[0] <= TOUCH):
        return known[1]
    new_since = _record_visit(member, now, looking=looking)
    if looking:
        caching.store(key, (now, new_since), int(PAUSE.total_seconds()))
    return new_since


def _record_visit(member: Membership, now: datetime, *, looking: bool) -> datetime | None:
    visit = Visit.objects.filter(member=member).only("last_seen_at", "new_since").first()
    if visit is None:
        if looking:
            try:
                with transaction.atomic():
                    Visit.objects.create(network=member.network, member=member, last_seen_at=now)
            except IntegrityError:  # two first looks at once
                pass
        return None  # a first visit: everything is new, so nothing is marked
    if not looking:
        return visit.new_since
    if now - visit.last_seen_at > PAUSE:
        Visit.objects.filter(pk=visit.pk).update(last_seen_at=now, new_since=visit.last_seen_at)
        return visit.last_seen_at
    if now - visit.last_seen_at > TOUCH:
        Visit.objects.filter(pk=visit.pk).update(last_seen_at=now)
    return visit.new_since


def check_welcome_permission(member: Membership, newcomer: Membership) -> None:
    if newcomer.network_id != member.network_id or newcomer.pk == member.pk:
        raise PermissionDenied


def do_toggle_welcome(member: Membership, newcomer: Membership) -> bool:
    """Gives the newcomer the member's welcome stamp, or takes it back; True when it is given."""
    check_welcome_permission(member, newcomer)
    with transaction.atomic():
        if Welcome.objects.filter(newcomer=newcomer, member=member).delete()[0]:
            return False
        try:
            with transaction.atomic():
                Welcome.objects.create(network=member.network, newcomer=newcomer, member=member)
        except IntegrityError:  # a double click: the first one won
            return True
        told = Notification.objects.filter(
            network=member.network,
            recipient_id=newcomer.user_id,
            actor_id=member.user_id,
            kind="feed_welcome",
        ).exists()
        if told:  # a stamp taken back and given again is not news twice
            return True
        notify(
            member.network,
            [newcomer.user_id],
            "feed_welcome",
            url=reverse(
                "profiles:detail",
                kwargs={"network_slug": member.network.slug, "membership_id": member.pk},
            ),
            actor=member.user,
            params={"actor": member.user.name},
        )
        return True


def welcome_counts(member: Membership, newcomer_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """For each newcomer: how many welcomed them and whether the member did, in one query."""
    if not newcomer_ids:
        return {}
    rows = (
        Welcome.objects.filter(network=member.network, newcomer_id__in=newcomer_ids)
        .values("newcomer_id")
        .annotate(n=Count("id"), mine=Count("id", filter=Q(member=member)))
    )
    return {row["newcomer_id"]: (row["n"], row["mine"] > 0) for row in rows}
