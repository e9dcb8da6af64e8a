"""The latest life updates (近況) on the network's home page.

Cached (``core.fragments``) until an update is posted or deleted.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tsunagu.core.fragments import cached_fragment, forget_fragment
from tsunagu.tenancy.models import Network, Status

from .models import LifeUpdate

FRAGMENT = "profiles-updates-v1"
SHOWN = 5


def life_updates_html(network: Network, language: str) -> SafeString:
    def render() -> str:
        updates = list(
            LifeUpdate.objects.filter(network=network, membership__status=Status.ACTIVE)
            .select_related("membership__user", "membership__profile")
            .order_by("-created_at", "-id")[:SHOWN]
        )
        return render_to_string(
            "profiles/home_updates.html", {"updates": updates, "network": network}
        )

    return cached_fragment(FRAGMENT, network.pk, language, render)


def forget_life_updates(network_id: int) -> None:
    forget_fragment(FRAGMENT, network_id)
