"""What the header asks of collab: whether the network's 「連携先」 link leads anywhere.

The link shows only while the network has an active link with another active network. Whether
it has one is kept per network, read with the header's other entries (``core/navigation.py``),
and dropped by every change of a link that was ever active or of a network on either side
(``receivers.py``), so the tab appears and goes at the next request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_scopes import scopes_disabled

from tsunagu.core import caching
from tsunagu.core.navigation import Count

from .models import Link


def linked_key(network_id: int) -> str:
    return caching.key("collab", "linked", network_id)


def has_active_link(network_id: int, found: Mapping[str, Any] | None = None) -> int:
    """1 while the network has an active link with another active network, else 0."""

    def load() -> int:
        with scopes_disabled():
            return int(Link.objects.of_network(network_id).live().exists())

    return caching.cached(linked_key(network_id), load, caching.HOUR, found=found)


def forget(*network_ids: int | None) -> None:
    caching.forget(*[linked_key(pk) for pk in network_ids if pk])


LINKED = Count(
    keys=lambda request, network, membership: [linked_key(network.pk)],
    read=lambda context, network, membership, found: has_active_link(network.pk, found),
)
