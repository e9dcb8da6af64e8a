"""Who an announcement reaches: active members of its network with an active account, by role
or by a roster segment (``profiles/segments.py``, the rule surveys ask by)."""

from __future__ import annotations

from django.db.models import QuerySet

from tsunagu.profiles.segments import ALUMNI_ROLES, segment_q
from tsunagu.tenancy.models import Membership, Role, Status

from .models import Announcement, Audience


def audience_members(
    network_id: int,
    audience: str,
    left_from: int | None = None,
    left_to: int | None = None,
    department: str = "",
) -> QuerySet[Membership]:
    qs = Membership.objects.filter(
        network_id=network_id, status=Status.ACTIVE, user__is_active=True
    )
    if audience == Audience.ALUMNI:
        return qs.filter(role__in=ALUMNI_ROLES)
    if audience == Audience.EMPLOYEES:
        return qs.filter(role=Role.EMPLOYEE)
    if audience == Audience.SEGMENT:
        return qs.filter(role__in=ALUMNI_ROLES).filter(segment_q(left_from, left_to, department))
    if audience == Audience.ALL:
        return qs
    return qs.none()  # an audience this code does not know reaches nobody


def announcement_audience(announcement: Announcement) -> QuerySet[Membership]:
    return audience_members(
        announcement.network_id,
        announcement.audience,
        announcement.left_from,
        announcement.left_to,
        announcement.department,
    )
