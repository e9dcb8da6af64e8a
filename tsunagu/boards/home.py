"""What the boards show on the network's home page: the same for every member, so shared.

The block is rendered once per network and language and kept in the cache until a post, a
comment, an answer or a moderator changes what it lists.
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
from tsunagu.tenancy.models import Network

from .models import Thread, ThreadKind

SCHEMA = "v1"
TIMEOUT = 60 * 60
SHOWN = 5


def _key(network_id: int, language: str, zone: str | None = None) -> str:
    # Times in the block are in the viewer's zone: one copy per language and zone.
    zone = zone or timezone.get_current_timezone_name()
    return f"boards:{SCHEMA}:home:{network_id}:{language}:{zone}"


def home_block_html(network: Network, language: str) -> SafeString:
    key = _key(network.pk, language)
    html = cache.get(key)
    if html is None:
        visible = (
            Thread.objects.filter(network=network, is_hidden=False)
            .select_related("category")
            .only(
                "network_id",
                "category__name",
                "kind",
                "title",
                "is_answered",
                "comment_count",
                "last_activity_at",
                "created_at",
            )  # fmt: skip
        )
        recent = list(visible.order_by("-last_activity_at", "-id")[:SHOWN])
        waiting = list(
            visible.filter(
                kind=ThreadKind.CONSULTATION, is_answered=False, is_locked=False
            ).order_by("-created_at", "-id")[:SHOWN]
        )
        with override(language):
            html = render_to_string(
                "boards/fragment_home.html",
                {"network": network, "recent": recent, "waiting": waiting},
            )
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there


def forget_home_block(network_id: int) -> None:
    zones = {settings.TIME_ZONE, *TIME_ZONES}
    keys = [_key(network_id, code, zone) for code, _name in settings.LANGUAGES for zone in zones]
    # Now, and again after commit: a page rendered in between could store the old block again.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
