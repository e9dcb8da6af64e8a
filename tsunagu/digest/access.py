"""Who may see which digest: a member's own, by mail; any active member's, for operators, on the
preview page (audited)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.models import Membership, Status

from .mail import TOKEN_KIND

SEARCH_LIMIT = 20


def access_previewed_member(operator: Membership, membership_id: object) -> Membership:
    """404 for another network's member, a missing one and one who is not active alike."""
    qs = Membership.objects.filter(status=Status.ACTIVE).select_related("user", "network")
    return access_in_network(operator, qs, membership_id)


def search_members(operator: Membership, text: str) -> QuerySet[Membership]:
    text = text.strip()[:100]
    qs = Membership.objects.filter(network_id=operator.network_id, status=Status.ACTIVE)
    if text:
        qs = qs.filter(
            Q(user__name__icontains=text)
            | Q(user__email__icontains=text)
            | Q(profile__display_name__icontains=text)
        )
    return qs.select_related("user").order_by("user__name", "pk")[:SEARCH_LIMIT]


def is_digest_token(kind: str) -> bool:
    return kind == TOKEN_KIND
