from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def talk_js_strings() -> dict[str, str]:
    """The words the browser script needs, in the page's language."""
    return {
        "reply": _("Reply in thread"),
        "replies": _("%(count)d replies"),
        "edited": _("(edited)"),
        "deleted": _("This message was deleted."),
        "hidden": _("This message was hidden by the operators."),
        "typing": _("%(name)s is typing…"),
        "read": _("Read by %(count)d"),
        "offline": _("Offline: your messages will be sent when the connection is back."),
        "stamp": _("Add a stamp"),
        "pinned": _("Pinned"),
        "new_messages": _("New messages"),
    }


@register.filter
def replies(count: int) -> str:
    """{{ message.reply_count|replies }}: 「3件の返信」."""
    return _("%(count)d replies") % {"count": count}


@register.simple_tag(takes_context=True)
def talk_room_head(context: dict[str, Any]) -> SafeString:
    """The head of a room's pages (links to its search, files and members)."""
    from tsunagu.core.urls_cache import network_links
    from tsunagu.talk.access import can_manage_room
    from tsunagu.talk.shell import room_head_html

    membership = context["membership"]
    html = room_head_html(
        network_links(context["request"].network.slug)["talk"],
        context["room"],
        context["title"],
        can_manage=bool(membership and can_manage_room(membership, context["room"])),
        query=context.get("query"),
    )
    return mark_safe(html)  # noqa: S308 - escaped when built
