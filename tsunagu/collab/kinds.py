"""Notification kinds of links between networks: for the operators of the other side (and of
the asking side when its request ends without a link), and for the members who joined a shared
room."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import OPERATORS, Kind, register

for name, label, text in (
    (
        "link_requested",
        _("Another network asks to link with ours"),
        _("%(network)s asks to link with your network."),
    ),
    (
        "link_countered",
        _("Another network proposes other terms for a link"),
        _("%(network)s proposes other terms for the link with your network."),
    ),
    (
        "link_accepted",
        _("A link with another network is agreed"),
        _("%(network)s accepted the link with your network."),
    ),
    (
        "link_declined",
        _("Another network declines a link"),
        _("%(network)s declined the link with your network."),
    ),
    (
        "link_ended",
        _("Another network ends a link"),
        _("%(network)s ended the link with your network."),
    ),
    (
        "link_lapsed",
        _("A request to link ends without a link"),
        _("Your request to link with %(network)s ended without a link."),
    ),
    (
        "link_narrowed",
        _("Another network shares less over a link"),
        _("%(network)s stopped sharing something over the link with your network."),
    ),
    (
        "cohost_changed",
        _("A co-hosted event changes"),
        _("%(network)s changed the co-hosting of “%(title)s”."),
    ),
):
    register(Kind(name, label, text, email_by_default=False, roles=OPERATORS))

# Only the members who joined the room are told (actions._archive_shared_rooms).
register(
    Kind(
        "shared_room_closed",
        _("A talk room shared with another network is closed"),
        _("The room “%(room)s” shared with %(network)s is closed."),
        email_by_default=True,
    )
)
