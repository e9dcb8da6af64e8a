"""The join step someone was on when they signed up, found again wherever they log in."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.tenancy.models import Membership, Network, Status

from .models import PendingJoin

JOIN_PAGES = {"onboarding:accept_invitation", "onboarding:accept_link"}


def join_page(target: str) -> tuple[Network, str] | None:
    """The network and path of an invitation or link page on this site, or None."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/n/"):
        return None  # only a path on this site: never a page elsewhere
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name not in JOIN_PAGES:
        return None
    with scopes_disabled():
        network = Network.objects.filter(
            slug=match.kwargs.get("network_slug"), is_active=True
        ).first()
    return None if network is None else (network, parts.path[:300])


def remember_join(user: User, target: str) -> PendingJoin | None:
    found = join_page(target)
    if found is None:
        return None
    network, path = found
    with scopes_disabled():
        return PendingJoin.objects.create(network=network, user=user, path=path)


def pending_join_of(user: User) -> str | None:
    """The join page to take ``user`` back to: the latest kept in the last 30 days, for a
    network they have not joined yet. Joins they have finished are marked done on the way."""
    since = timezone.now() - PendingJoin.KEPT
    with scopes_disabled():
        waiting = list(
            PendingJoin.objects.filter(user=user, done_at__isnull=True, created_at__gte=since)
            .select_related("network")
            .order_by("-created_at")[:5]
        )
        joined = set(
            Membership.objects.filter(
                user=user, network_id__in=[p.network_id for p in waiting], status=Status.ACTIVE
            ).values_list("network_id", flat=True)
        )
        done = [p.pk for p in waiting if p.network_id in joined]
        if done:
            PendingJoin.objects.filter(pk__in=done).update(done_at=timezone.now())
    for pending in waiting:
        if pending.network_id not in joined and pending.network.is_active:
            return pending.path
    return None
