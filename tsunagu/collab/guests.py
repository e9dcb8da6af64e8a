"""The co-hosted events a partner's event list shows, kept per partner network.

The event list reads them on every first page. Asked of the database each time they cost two
statements (the network's links that share events, then the co-hostings over them) and half of
the page's CPU. They are kept here per partner network, for every audience, and the reader's
audience and the clock are applied per request (``guest_events()``), so the entry holds only
what the rule would give some member of the network and each reader gets their own share of it.

The rule is ``access.filter_guest_cohosts()``; ``tests/test_guests.py`` holds the two together
for every role and link state. The entry goes (``receivers.py``) whenever anything the rule reads
changes: a link (its state or scopes), a co-hosting, an event co-hosted, or a network on either
side (its name or whether it is active).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core import caching
from tsunagu.events.access import audiences_for
from tsunagu.tenancy.models import Membership

from .models import CoHost, CoHostState


@dataclass(frozen=True)
class GuestEvent:
    """One co-hosted event of another network, as the partner's list shows it."""

    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    audience: str
    owner_name: str


def guests_key(network_id: int) -> str:
    return caching.key("collab", "guest-events", network_id)


def _load(network_id: int) -> tuple[GuestEvent, ...]:
    from .access import events_links

    links = {link.pk for link in events_links(network_id)}
    if not links:
        return ()
    with scopes_disabled():
        rows = (
            CoHost.objects.filter(
                partner_id=network_id,
                state=CoHostState.ACCEPTED,
                link_id__in=links,
                event__ends_at__gt=timezone.now(),
            )
            .select_related("event", "network")
            .order_by("event__starts_at", "event_id")
        )
        return tuple(
            GuestEvent(
                event_id=row.event_id,
                title=row.event.title,
                starts_at=row.event.starts_at,
                ends_at=row.event.ends_at,
                audience=row.event.audience,
                owner_name=row.network.name,
            )
            for row in rows
        )


def guest_events(member: Membership, found: Mapping[str, Any] | None = None) -> list[GuestEvent]:
    """The upcoming co-hosted events the member may see from their own network (``found``: what
    the page read of the cache already)."""
    audiences = audiences_for(member)
    if not audiences:
        return []
    network_id = member.network_id
    kept = caching.cached(
        guests_key(network_id), lambda: _load(network_id), caching.HOUR, found=found
    )
    now = timezone.now()
    return [row for row in kept if row.audience in audiences and row.ends_at > now]


def forget(*network_ids: int | None) -> None:
    caching.forget(*[guests_key(pk) for pk in network_ids if pk])
