"""Who a survey asks. A roster segment is the rule of ``profiles/segments.py``, which
announcements use too."""

from __future__ import annotations

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
