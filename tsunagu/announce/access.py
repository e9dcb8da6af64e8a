"""Who may do what with announcements: the network's operators write, preview, test and send
them; nobody else sees them (a demoted operator loses the right at the next request, since the
membership is read fresh)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tsunagu.profiles.indexing import filter_by_name
from tsunagu.tenancy.access import access_in_network, check_operator_permission
from tsunagu.tenancy.models import Membership

from .audience import announcement_audience
from .models import Announcement

SEARCH_LIMIT = 20


def check_announce_permission(member: Membership) -> None:
    check_operator_permission(member)


def filter_announcements(member: Membership) -> QuerySet[Announcement]:
    check_announce_permission(member)
    return Announcement.objects.filter(network_id=member.network_id)


def access_announcement(member: Membership, announcement_id: object) -> Announcement:
    """404 for another network's announcement and a missing one alike."""
    announcement = access_in_network(member, filter_announcements(member), announcement_id)
    announcement.network = member.network  # the request's, already loaded
    return announcement


def search_audience(
    member: Membership, announcement: Announcement, text: str
) -> QuerySet[Membership]:
    """Members of the announcement's audience by name or address, for the preview."""
    check_announce_permission(member)
    qs = announcement_audience(announcement)
    text = text.strip()[:100]
    if text:
        # Names as people type them (without the space, variant kanji, romaji), or the address.
        named = filter_by_name(Membership.objects.filter(network_id=member.network_id), text)
        qs = qs.filter(Q(pk__in=named.values("pk")) | Q(user__email__icontains=text))
    return qs.select_related("user").order_by("user__name", "pk")[:SEARCH_LIMIT]


def access_audience_member(
    member: Membership, announcement: Announcement, membership_id: object
) -> Membership:
    """A member of the announcement's audience: 404 for anyone else (another network's member,
    one outside the audience, one who left)."""
    check_announce_permission(member)
    qs = announcement_audience(announcement).select_related("user", "network")
    return access_in_network(member, qs, membership_id)
