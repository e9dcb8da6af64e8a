"""Who a survey asks. A roster segment is the rule of ``profiles/segments.py``, which
announcements use too."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet

from tsunagu.profiles.segments import ALUMNI_ROLES, segment_q
from tsunagu.tenancy.models import Membership, Role, Status

from .models import Audience, Survey


def audience_members(survey: Survey) -> QuerySet[Membership]:
    """The active members the survey asks."""
    qs = Membership.objects.filter(
        network_id=survey.network_id, status=Status.ACTIVE, user__is_active=True
    )
    if survey.audience == Audience.ALUMNI:
        return qs.filter(role__in=ALUMNI_ROLES)
    if survey.audience == Audience.EMPLOYEES:
        return qs.filter(role=Role.EMPLOYEE)
    if survey.audience == Audience.SEGMENT:
        return qs.filter(role__in=ALUMNI_ROLES).filter(
            segment_q(survey.left_from, survey.left_to, survey.department)
        )
    if survey.audience == Audience.EVENT:
        from tsunagu.events.models import Registration, RegistrationStatus

        took_part = Registration.objects.filter(
            event_id=survey.event_id or 0,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
        ).values("user_id")
        return qs.filter(user_id__in=took_part)
    return qs


def in_audience(member: Membership, survey: Survey) -> bool:
    if not member.is_active:
        return False
    if survey.audience == Audience.ALL:
        return True
    if survey.audience == Audience.ALUMNI:
        return member.role in ALUMNI_ROLES
    if survey.audience == Audience.EMPLOYEES:
        return member.role == Role.EMPLOYEE
    return audience_members(survey).filter(pk=member.pk).exists()


def group_facts(member: Membership) -> dict[str, Any]:
    """The member's role, leaving year and last department: what the cross-tabulations count by."""
    from tsunagu.profiles.models import Profile

    profile = Profile.objects.filter(membership=member).only("left_on", "last_department").first()
    return {
        "role": member.role,
        "left_year": profile.left_on.year if profile and profile.left_on else None,
        "department": (profile.last_department if profile else "")[:100],
    }


def frequent_groups(survey: Survey) -> dict[str, list[str]]:
    """Per dimension, the groups at least MIN_CELL members of the survey's audience are in: an
    anonymous respondent in any other group is counted as "other" (a group of two asked would
    be the answers of one of them, or of both)."""
    from tsunagu.profiles.models import Profile

    from .models import MIN_CELL
    from .tally import DIMENSIONS, groups_of

    members = audience_members(survey)
    profiles = {
        membership_id: (left_on, department)
        for membership_id, left_on, department in Profile.objects.filter(
            membership__in=members
        ).values_list("membership_id", "left_on", "last_department")
    }
    sizes: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    for pk, role in members.values_list("pk", "role"):
        left_on, department = profiles.get(pk, (None, ""))
        facts = {
            "role": role,
            "left_year": left_on.year if left_on else None,
            "department": (department or "")[:100],
        }
        for dimension, group in groups_of(facts).items():
            sizes[dimension][group] += 1
    return {d: sorted(g for g, n in sizes[d].items() if g and n >= MIN_CELL) for d in DIMENSIONS}
