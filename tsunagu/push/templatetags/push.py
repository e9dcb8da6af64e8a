"""{% push_devices %}: the block where a member turns pushes on for this device and sees the
devices that receive them (account settings, notification preferences)."""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from tsunagu.core.templatetags.layout import page_token

from ..access import devices_of, push_enabled

register = template.Library()


def endpoint_key(endpoint: str) -> str:
    """What the page says of a device's endpoint (a secret): enough for the browser to find
    itself in the list, nothing a push could be sent with. push.js computes the same."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:32]


@register.inclusion_tag("push/_devices.html", takes_context=True)
def push_devices(context: Any) -> dict[str, Any]:
    request = context["request"]
    if not push_enabled() or not request.user.is_authenticated:
        return {"enabled": False}
    devices = [(device, endpoint_key(device.endpoint)) for device in devices_of(request.user)]
    return {
        "enabled": True,
        "devices": devices,
        "vapid_public_key": settings.TSUNAGU_VAPID_PUBLIC_KEY,
        "subscribe_url": reverse("push:subscribe"),
        "unsubscribe_url": reverse("push:unsubscribe"),
        "csrf_token": page_token(request),
        "next": request.get_full_path(),
    }
