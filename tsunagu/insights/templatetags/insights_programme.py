"""Awards shown elsewhere: on a member's profile and on the network's page."""

from __future__ import annotations

from typing import Any

from django import template

from tsunagu.tenancy.models import Membership, Network

from ..programme_models import Award

register = template.Library()

NETWORK_AWARDS_SHOWN = 6


@register.inclusion_tag("insights/supporters_badges.html")
def member_awards(membership: Membership) -> dict[str, Any]:
    """The member's yearly awards, newest first: one query."""
    awards = Award.objects.filter(network_id=membership.network_id, member_id=membership.pk)
    return {"awards": list(awards.order_by("-year", "kind"))}


@register.inclusion_tag("insights/supporters_network_awards.html", takes_context=True)
def network_awards(context: dict[str, Any], network: Network) -> dict[str, Any]:
    """The latest awards of the network with their winners' names: for its members only (the
    caller shows it to active members; the page's other visitors never see names)."""
    awards = (
        Award.objects.filter(network_id=network.pk)
        .select_related("member__user")
        .only("year", "kind", "member_id", "member__user__name", "network_id")
        .order_by("-year", "kind")[:NETWORK_AWARDS_SHOWN]
    )
    return {"awards": list(awards), "request": context["request"]}
