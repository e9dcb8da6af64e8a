from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tsunagu.core.templatetags.layout import page_token
from tsunagu.notify.render import notifications_html

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_items(context: Any, notifications: Any) -> SafeString:
    """{% notification_items notifications %}: the list with each notification's open button."""
    request = context["request"]
    return notifications_html(notifications, request.network, page_token(request))
