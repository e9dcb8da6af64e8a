"""What talk adds to the layout's header (``core/navigation.py``): its link, with the member's
unread messages (``data-talk-unread``), which the network socket keeps current on every page
(``actions.send_unread_totals()``, a ``count`` event for the link ``talk``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tsunagu.core.navigation import Count, Link, add_link

from .unread import total_keys, unread_total


def _keys(request: Any, network: Any, membership: Any) -> list[str]:
    return total_keys(membership)


def _unread(context: Any, network: Any, membership: Any, found: dict[str, Any]) -> int:
    return unread_total(membership, found) if membership.is_active else 0


def register() -> None:
    add_link(
        Link(
            "talk",
            _("Talk"),
            50,
            count=Count(keys=_keys, read=_unread),
            count_attribute="data-talk-unread",
        )
    )
