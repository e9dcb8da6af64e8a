"""Checks of the push settings, run at every start (`manage.py check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from .vapid import public_key_of


@register()
def check_vapid_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    private = settings.TSUNAGU_VAPID_PRIVATE_KEY
    public = settings.TSUNAGU_VAPID_PUBLIC_KEY
    if not private and not public:
        return []  # push is off
    hint = "Set both from one line pair of `manage.py generate_vapid_keys` (docs/deployment.md)."
    if not private or not public:
        return [
            Error(
                "Only one of TSUNAGU_VAPID_PRIVATE_KEY and TSUNAGU_VAPID_PUBLIC_KEY is set.",
                hint=hint,
                id="push.E001",
            )
        ]
    try:
        matches = public_key_of(private) == public.rstrip("=")
    except ValueError:
        matches = False
    if not matches:
        return [
            Error(
                "TSUNAGU_VAPID_PUBLIC_KEY is not the public key of TSUNAGU_VAPID_PRIVATE_KEY: "
                "browsers would subscribe with one and the push services refuse the other.",
                hint=hint,
                id="push.E002",
            )
        ]
    return []
