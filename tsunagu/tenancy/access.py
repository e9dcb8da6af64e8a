"""Who may see and do what inside a network. Plain functions: check_* raise, filter_* narrow."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from .models import Membership, Network, Role, Status

if TYPE_CHECKING:
    from tsunagu.accounts.models import User

M = TypeVar("M", bound=models.Model)


def get_membership(network: Network, user: object) -> Membership | None:
    """The user's membership in the network, whatever its status; None for outsiders."""
    user_id = getattr(user, "pk", None)
    if user_id is None or not getattr(user, "is_authenticated", False):
        return None
    from .cache import membership_of

    membership = membership_of(network, user_id)
    if membership is None:
        return None
    membership.user = user  # type: ignore[assignment]  # the request's user: no join needed
    return membership


def memberships_of(user: User) -> list[Membership]:
    """Every active membership of a user, across networks: for the network switcher."""
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, status=Status.ACTIVE, network__is_active=True)
            .select_related("network")
            .order_by("network__name")
        )


def check_operator_permission(member: Membership) -> None:
    if not member.is_operator:
        raise PermissionDenied


def may_moderate(member: Membership) -> bool:
    """Whether the member moderates the network's boards and talk rooms: operators always,
    supporters while the network allows it. Read from the member and network as they are now
    (both come fresh from the request or the socket's frame), so a demotion or the setting
    turned off ends the right at the next request."""
    if member.is_operator:
        return True
    return (
        member.is_active
        and member.role == Role.SUPPORTER
        and member.network.supporters_may_moderate
    )


def check_manage_member_permission(member: Membership, target: Membership) -> None:
    check_operator_permission(member)
    if target.network_id != member.network_id:
        raise Http404


def access_in_network(member: Membership, queryset: models.QuerySet[M], pk: object) -> M:
    """Fetches one object of the member's network; 404 for missing and not-yours alike."""
    try:
        return queryset.filter(network_id=member.network_id).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_membership(member: Membership, membership_id: object) -> Membership:
    return access_in_network(member, Membership.objects.select_related("user"), membership_id)


def filter_active_members(network: Network) -> models.QuerySet[Membership]:
    return Membership.objects.filter(network=network, status=Status.ACTIVE)


def count_operators(network: Network) -> int:
    return filter_active_members(network).filter(role=Role.OPERATOR).count()


def check_leave_permission(member: Membership) -> None:
    """Whether the member may leave the network now: 404 when they are not an active member of
    it (an outsider, an applicant, someone who already left); refused for its last active
    operator, who must first make someone else an operator. The page and do_leave_network()
    both ask here."""
    if member.status != Status.ACTIVE:
        raise Http404
    if member.is_operator and count_operators(member.network) <= 1:
        raise ValidationError(
            _(
                "You are the only operator of this network. Make another member an operator "
                "before you leave."
            ),
            code="last_operator",
        )
