"""The latest life updates (近況) on the network's home page, rendered once and cached.

Kept per network, language and time zone until an update is posted or deleted (or an hour
passes), so the home page reads one cache entry for it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import override

from tsunagu.accounts.models import TIME_ZONES
from tsunagu.tenancy.models import Network, Status

from .models import LifeUpdate

SCHEMA = "v1"
TIMEOUT = 60 * 60
SHOWN = 5


def _key(network_id: int, language: str, zone: str | None = None) -> str:
    zone = zone or timezone.get_current_timezone_name()
    return f"profiles:{SCHEMA}:updates:{network_id}:{language}:{zone}"


def life_updates_html(network: Network, language: str) -> SafeString:
    key = _key(network.pk, language)
    html = cache.get(key)
    if html is None:
        updates = list(
            LifeUpdate.objects.filter(network=network, membership__status=Status.ACTIVE)
            .select_related("membership__user", "membership__profile")
            .order_by("-created_at", "-id")[:SHOWN]
        )
        with override(language):
            html = render_to_string(
                "profiles/home_updates.html", {"updates": updates, "network": network}
            )
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there


def forget_life_updates(network_id: int) -> None:
    zones = {settings.TIME_ZONE, *TIME_ZONES}
    keys = [_key(network_id, code, zone) for code, _name in settings.LANGUAGES for zone in zones]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
