from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from tsunagu.talk.mentions import avatar
from tsunagu.tenancy.models import Membership

register = template.Library()


@register.filter
def avatar_of(sender: Membership | None, slug: str) -> dict[str, Any]:
    """{{ m.sender|avatar_of:slug }}: the circle beside a message (talk/mentions.py)."""
    return avatar(sender, slug)


@register.simple_tag
def talk_js_strings() -> dict[str, str]:
    """The words the browser script needs, in the page's language (a message's own words come
    with the page's sample message, talk/_message.html)."""
    return {
        "replies": _("%(count)d replies"),
        "typing": _("%(name)s is typing…"),
        "read": _("Read by %(count)d"),
        "offline": _("Offline: your messages will be sent when the connection is back."),
        # The room list's line under a room (talk/_room_row.html says the same).
        "former": _("former member"),
        "file": _("Sent a file"),
    }


@register.filter
def replies(count: int) -> str:
    """{{ message.reply_count|replies }}: 「3件の返信」."""
    return _("%(count)d replies") % {"count": count}


@register.filter
def kind_label(kind: str) -> str:
    """{{ room.kind|kind_label }}: the room type's name (``get_kind_display`` would translate
    every type's name to find one)."""
    from tsunagu.talk.models import RoomKind

    try:
        return str(RoomKind(kind).label)
    except ValueError:
        return kind


@register.inclusion_tag("talk/_room_head.html", takes_context=True)
def talk_room_head(context: dict[str, Any]) -> dict[str, Any]:
    """The head of a room's pages (links to its search, files and members)."""
    from tsunagu.talk.access import can_manage_room

    membership, room = context["membership"], context["room"]
    return {
        "talk_url": context["network_links"]["talk"],
        "room": room,
        "title": context["title"],
        "can_manage": bool(membership and can_manage_room(membership, room)),
        "query": context.get("query"),
    }
