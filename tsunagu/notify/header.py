"""What notify adds to the layout's header (``core/navigation.py``): the bell's unread count and
the link to the member's notifications."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tsunagu.core.navigation import Count, Link, add_link, exact, set_bell

from .reads import bell_keys, unread_count


def _keys(request: Any, network: Any, membership: Any) -> list[str]:
    return bell_keys(network.pk, request.user.pk)


def _unread(context: Any, network: Any, membership: Any, found: dict[str, Any]) -> int:
    if "unread_prefetched" in context:  # the view read the bell already
        return int(context["unread_prefetched"])
    return unread_count(network, context["request"].user, found)


def register() -> None:
    set_bell(Count(keys=_keys, read=_unread))
    add_link(Link("notifications", _("Notifications"), 90, current=exact))
