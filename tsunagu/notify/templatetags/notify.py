from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

from tsunagu.notify.render import notifications_html

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_items(context: Any, notifications: Any) -> SafeString:
    request = context["request"]
    return notifications_html(notifications, request.network, get_token(request))
