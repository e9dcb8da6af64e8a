"""Who may invite, approve and see whom."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.tenancy.access import access_in_network, check_operator_permission
from tsunagu.tenancy.models import Membership, Network, NetworkKind, Role, Status

from .models import (
    Application,
    ExitCode,
    ImportBatch,
    Invitation,
    InvitationStatus,
    InviteLink,
    OnboardingSettings,
    WhoMayInvite,
)

if TYPE_CHECKING:
    from tsunagu.accounts.models import User


# --- The operators' community ---
#
# One rule for who may come into a network of the kind "operators" (seed 001): the person is,
# now, an active operator of an active alumni network. It is asked when they open the form,
# when they send it, when an operator approves it, and when an invitation or a link would let
# them in; so an operator demoted or suspended in their own network, or whose network is
# switched off, loses the right at once. Who is in already stays: the community's members are
# its own (alumni-like) members, and leave or are removed there.


def operated_networks(user: User) -> list[Network]:
    """The active alumni networks the person runs as an active operator, by name."""
    if not user.is_authenticated or not user.is_active:
        return []
    with scopes_disabled():
        return list(
            Network.objects.filter(
                is_active=True,
                kind=NetworkKind.ALUMNI,
                memberships__user=user,
                memberships__role=Role.OPERATOR,
                memberships__status=Status.ACTIVE,
            )
            .distinct()
            .order_by("name", "pk")
        )


def join_refusal(user: User, network: Network) -> str | None:
    """Why the person may not apply to (or be let into) ``network`` now, or None."""
    if network.kind != NetworkKind.OPERATORS or operated_networks(user):
        return None
    return _(
        "Only operators of an active alumni network may join this community. Please apply "
        "with the account you use as an operator of your company's alumni network."
    )


def check_join_permission(user: User, network: Network) -> None:
    refusal = join_refusal(user, network)
    if refusal is not None:
        raise PermissionDenied(refusal)


def check_may_admit(user: User, network: Network) -> None:
    """An approval: refused (with the reason for the operators) when the applicant lost the
    right to join since they applied."""
    if join_refusal(user, network) is not None:
        raise ValidationError(
            _(
                "This person is no longer an active operator of an alumni network, so they "
                "cannot join this community. Decline the application with a message."
            )
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


def normalize_address(email: str) -> str:
    """An address as the roster stores it: NFKC, without surrounding spaces, lower case."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def verified_addresses(user: User) -> set[str]:
    """The addresses the account has shown it receives mail at: allauth marked them verified,
    by a confirmation mail or by signing up from an invitation mailed there."""
    found = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return {normalize_address(email) for email in found}


def owns_address(user: User, email: str) -> bool:
    return normalize_address(email) in verified_addresses(user)


def check_accept_invitation_permission(user: User, invitation: Invitation) -> None:
    """An e-mail invitation carries HR's data about one person: only the account that owns its
    address may accept it. Anyone else holding the link is refused."""
    if not owns_address(user, invitation.email):
        raise PermissionDenied


def awaits_confirmation(user: User, email: str) -> bool:
    """The account holds the address but has not confirmed it yet."""
    found = EmailAddress.objects.filter(user=user, verified=False).values_list("email", flat=True)
    return normalize_address(email) in {normalize_address(address) for address in found}


def access_batch(member: Membership, batch_id: object) -> ImportBatch:
    check_operator_permission(member)
    return access_in_network(member, ImportBatch.objects.all(), batch_id)


def access_invitation(member: Membership, invitation_id: object) -> Invitation:
    check_operator_permission(member)
    return access_in_network(member, Invitation.objects.all(), invitation_id)


def access_link(member: Membership, link_id: object) -> InviteLink:
    check_operator_permission(member)
    return access_in_network(member, InviteLink.objects.all(), link_id)


def access_exit_code(member: Membership, code_id: object) -> ExitCode:
    check_operator_permission(member)
    return access_in_network(member, ExitCode.objects.select_related("network"), code_id)


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
