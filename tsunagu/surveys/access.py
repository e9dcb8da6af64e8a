"""Who may see, answer and manage which survey."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet, Value

from tsunagu.profiles.segments import ALUMNI_ROLES
from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.models import Membership, Role

from .models import Audience, Participation, Survey


def can_create_surveys(member: Membership) -> bool:
    """Operators; supporters too where the network allows it."""
    if member.is_operator:
        return True
    return (
        member.is_active
        and member.role == Role.SUPPORTER
        and member.network.supporters_may_create_surveys
    )


def check_create_survey_permission(member: Membership) -> None:
    if not can_create_surveys(member):
        raise PermissionDenied


def can_manage_survey(member: Membership, survey: Survey) -> bool:
    """Operators manage every survey; a supporter those they created, while allowed to."""
    if survey.network_id != member.network_id:
        return False
    if member.is_operator:
        return True
    return can_create_surveys(member) and survey.created_by_id == member.user_id


def check_manage_survey_permission(member: Membership, survey: Survey) -> None:
    if not can_manage_survey(member, survey):
        raise PermissionDenied


def audience_q(member: Membership) -> Q:
    """Published surveys that ask this member (the rule of audience.in_audience, as a query)."""
    from tsunagu.events.models import Registration, RegistrationStatus

    q = Q(audience=Audience.ALL)
    if member.role == Role.EMPLOYEE:
        q |= Q(audience=Audience.EMPLOYEES)
    if member.role in ALUMNI_ROLES:
        q |= Q(audience=Audience.ALUMNI)
        profile = getattr(member, "_survey_profile", None)
        if profile is not None:
            left_year = profile.left_on.year if profile.left_on else None
            year_q = Q(left_from__isnull=True, left_to__isnull=True)
            if left_year is not None:
                year_q |= (Q(left_from__isnull=True) | Q(left_from__lte=left_year)) & (
                    Q(left_to__isnull=True) | Q(left_to__gte=left_year)
                )
            dept_q = Q(department="") | Q(member_department__icontains=F("department"))
            q |= Q(audience=Audience.SEGMENT) & year_q & dept_q
        else:
            q |= Q(
                audience=Audience.SEGMENT,
                left_from__isnull=True,
                left_to__isnull=True,
                department="",
            )
    took_part = Registration.objects.filter(
        user_id=member.user_id,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
    ).values("event_id")
    q |= Q(audience=Audience.EVENT, event_id__in=took_part)
    return Q(published=True) & q


def filter_surveys_for(member: Membership, qs: QuerySet[Survey]) -> QuerySet[Survey]:
    qs = qs.filter(network_id=member.network_id)
    if member.is_operator:
        return qs
    from tsunagu.profiles.models import Profile

    profile = Profile.objects.filter(membership=member).only("left_on", "last_department").first()
    member._survey_profile = profile  # type: ignore[attr-defined]
    qs = qs.alias(member_department=Value(profile.last_department if profile else ""))
    mine = Q(created_by_id=member.user_id) if can_create_surveys(member) else Q(pk__in=[])
    # An event's organisers read its feedback survey.
    from tsunagu.events.models import Organiser

    organises = Organiser.objects.filter(membership=member).values("event_id")
    organised = Q(is_event_feedback=True, event_id__in=organises)
    return qs.filter(audience_q(member) | mine | organised)


def access_survey(member: Membership, survey_id: object) -> Survey:
    """404 for a missing survey, another network's, and one that does not ask the member."""
    return access_in_network(member, filter_surveys_for(member, Survey.objects.all()), survey_id)


def access_managed_survey(member: Membership, survey_id: object) -> Survey:
    survey = access_survey(member, survey_id)
    check_manage_survey_permission(member, survey)
    return survey


def has_answered(member: Membership, survey: Survey) -> bool:
    return Participation.objects.filter(survey=survey, user_id=member.user_id).exists()


def may_see_results(member: Membership, survey: Survey) -> bool:
    if can_manage_survey(member, survey):
        return True
    if survey.is_event_feedback and survey.event is not None:
        from tsunagu.events.access import can_manage_event

        if can_manage_event(member, survey.event):
            return True
    return survey.results_for_respondents and survey.is_closed and has_answered(member, survey)


def check_see_results_permission(member: Membership, survey: Survey) -> None:
    if not may_see_results(member, survey):
        raise PermissionDenied
