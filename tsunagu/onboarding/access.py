"""Who may invite, approve and see whom."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagu.tenancy.access import access_in_network, check_operator_permission
from tsunagu.tenancy.models import Membership, Network

from .models import (
    Application,
    ImportBatch,
    Invitation,
    InvitationStatus,
    InviteLink,
    OnboardingSettings,
    WhoMayInvite,
)


def settings_of(network: Network) -> OnboardingSettings:
    found, _created = OnboardingSettings.objects.get_or_create(network=network)
    return found


def check_member_invite_permission(member: Membership, settings: OnboardingSettings) -> None:
    if member.is_operator:
        return
    if not member.is_active or settings.who_may_invite == WhoMayInvite.OPERATORS:
        raise PermissionDenied


def invitation_needs_approval(member: Membership, settings: OnboardingSettings) -> bool:
    return not member.is_operator and settings.who_may_invite == WhoMayInvite.MEMBERS_WITH_APPROVAL


def access_batch(member: Membership, batch_id: object) -> ImportBatch:
    check_operator_permission(member)
    return access_in_network(member, ImportBatch.objects.all(), batch_id)


def access_invitation(member: Membership, invitation_id: object) -> Invitation:
    check_operator_permission(member)
    return access_in_network(member, Invitation.objects.all(), invitation_id)


def access_link(member: Membership, link_id: object) -> InviteLink:
    check_operator_permission(member)
    return access_in_network(member, InviteLink.objects.all(), link_id)


def access_application(member: Membership, application_id: object) -> Application:
    check_operator_permission(member)
    return access_in_network(member, Application.objects.select_related("user"), application_id)


def filter_invitations(
    network: Network,
    *,
    status: str = "",
    left_within_months: int | None = None,
    department: str = "",
    q: str = "",
) -> QuerySet[Invitation]:
    """A segment of the invitees: e.g. those who left in the last 18 months, of one department."""
    qs = Invitation.objects.filter(network=network)
    if status in InvitationStatus.values:
        qs = qs.filter(status=status)
    if left_within_months:
        today = timezone.localdate()
        months = today.year * 12 + today.month - 1 - left_within_months
        since = today.replace(year=months // 12, month=months % 12 + 1, day=1)
        qs = qs.filter(left_on__gte=since)
    if department:
        qs = qs.filter(department__icontains=department)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(email__icontains=q.lower()) | Q(name_kana__icontains=q)
        )
    return qs
