"""What the boards show on the network's home page: the same for every member, so shared.

The block is cached (``core.fragments``) until a post, a comment, an answer or a moderator
changes what it lists.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tsunagu.core.fragments import cached_fragment, forget_fragment
from tsunagu.tenancy.models import Network

from .models import Thread, ThreadKind

FRAGMENT = "boards-home-v1"
SHOWN = 5


def home_block_html(network: Network, language: str) -> SafeString:
    def render() -> str:
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
        return render_to_string(
            "boards/fragment_home.html",
            {"network": network, "recent": recent, "waiting": waiting},
        )

    return cached_fragment(FRAGMENT, network.pk, language, render)


def forget_home_block(network_id: int) -> None:
    forget_fragment(FRAGMENT, network_id)
