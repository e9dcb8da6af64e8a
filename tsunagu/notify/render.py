"""A list of notifications, built in Python: the home page shows the latest on every visit."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

from tsunagu.core.templatetags.tsunagu import initials
from tsunagu.core.urls_cache import network_link
from tsunagu.tenancy.models import Network

from .models import Notification


def notifications_html(
    notifications: Iterable[Notification], network: Network, csrf: str
) -> SafeString:
    """What notify/fragment_items.html showed: each notification with its open button."""
    field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf)}">'
    unread_word = escape(_("unread"))  # outside the f-string, for makemessages
    unread = f'<span class="visually-hidden"> ({unread_word})</span>'
    network_initials = escape(initials(network.name))
    zone = get_current_timezone()
    parts = []
    for n in notifications:
        is_unread = n.is_unread
        avatar = escape(initials(n.actor.name)) if n.actor else network_initials
        action = escape(network_link(network.slug, "notify:open", "notification_id", n.pk))
        body = (
            f'<p class="muted flush">{escape(Truncator(n.body).chars(140))}</p>' if n.body else ""
        )
        parts.append(
            f'\n    <li class="notification{" notification--unread" if is_unread else ""}">\n'
            f'      <span class="avatar avatar--sm" aria-hidden="true">{avatar}</span>\n'
            '      <div class="notification__text">\n'
            f'        <form method="post" action="{action}">{field}\n'
            f'          <button class="linklike" type="submit">{escape(n.message)}</button>\n'
            f"        </form>\n        {body}\n"
            '        <span class="notification__time"><time datetime="'
            f'{escape(n.created_at.astimezone(zone).isoformat())}">'
            f"{escape(str(naturaltime(n.created_at)))}</time>{unread if is_unread else ''}"
            "</span>\n      </div>\n    </li>\n  "
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'\n<ul class="notifications">\n  {"".join(parts)}\n</ul>\n'
    )
