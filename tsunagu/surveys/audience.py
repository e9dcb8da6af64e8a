"""Who a survey asks.

A roster segment is the same rule the rest of the site applies to members' leaving data: the
year of ``Profile.left_on`` within the range, both ends included (the directory's leaving-year
filter), and ``Profile.last_department`` containing the words (onboarding's department rule).
Onboarding copies both from the HR roster into the profile when the person joins.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tsunagu.tenancy.models import Membership, Role, Status

from .models import Audience, Survey

ALUMNI_ROLES = (Role.ALUMNI, Role.SUPPORTER)  # supporters are alumni who help the office


def segment_q(left_from: int | None, left_to: int | None, department: str) -> Q:
    """Members whose profile matches a roster segment (see the module's docstring)."""
    q = Q()
    if left_from:
        q &= Q(profile__left_on__year__gte=left_from)
    if left_to:
        q &= Q(profile__left_on__year__lte=left_to)
    if department.strip():
        q &= Q(profile__last_department__icontains=department.strip())
    return q


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
