"""Every write to networks and memberships goes through these functions."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, record
from tsunagu.realtime.events import disconnect_membership, reconnect_membership

from .access import (
    check_leave_permission,
    check_manage_member_permission,
    check_operator_permission,
    count_operators,
    filter_active_members,
)
from .days import day_start
from .forms import NetworkSettingsForm
from .models import Membership, Network, Role, Status
from .signals import member_seen

if TYPE_CHECKING:
    from tsunagu.accounts.models import User

SEEN_EVERY = timedelta(minutes=15)


@transaction.atomic
def do_create_network(
    *, name: str, slug: str, first_operator: User | None = None, **fields: Any
) -> Network:
    network = Network(name=name, slug=slug, **fields)
    network.full_clean()
    network.save()
    if first_operator is not None:
        with scope(network=network):
            do_add_member(network, first_operator, role=Role.OPERATOR)
    return network


@transaction.atomic
def do_add_member(
    network: Network,
    user: User,
    *,
    role: str = Role.ALUMNI,
    status: str = Status.ACTIVE,
    welcome_by_mail: bool = True,
) -> Membership:
    """Adds the person (or changes their place); an active member is welcomed in the app and,
    unless the caller's own mail welcomes them (an approved application), by e-mail."""
    membership, created = Membership.objects.get_or_create(
        network=network, user=user, defaults={"role": role, "status": status}
    )
    if not created and (membership.role, membership.status) != (role, status):
        membership.role, membership.status = role, status
        membership.status_changed_at = timezone.now()
        membership.left_by_choice = False
        membership.save(update_fields=["role", "status", "status_changed_at", "left_by_choice"])
    if status == Status.ACTIVE:
        from tsunagu.notify.actions import notify

        notify(network, [user], "welcome", url=network.get_absolute_url(), mail=welcome_by_mail)
    return membership


def _ensure_an_operator_remains(target: Membership, new_role: str, new_status: str) -> None:
    losing_operator = target.is_operator and (
        new_role != Role.OPERATOR or new_status != Status.ACTIVE
    )
    if losing_operator and count_operators(target.network) <= 1:
        raise ValidationError(_("A network needs at least one active operator."))


@transaction.atomic
def do_change_role(actor: Membership, target: Membership, role: str) -> Membership:
    check_manage_member_permission(actor, target)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if role == target.role:
        return target
    _ensure_an_operator_remains(target, role, target.status)
    previous = target.role
    target.role = role
    target.save(update_fields=["role"])
    record(actor, AuditAction.CHANGE_ROLE, target=target, before=previous, after=role)
    reconnect_membership(target)  # its open sockets follow rooms of the old role
    from tsunagu.notify.actions import notify

    notify(
        target.network,
        [target.user],
        "role_changed",
        params={"role": target.get_role_display()},
        url=target.network.get_absolute_url(),
        actor=actor.user,
    )
    return target


@transaction.atomic
def do_leave_the_company(target: Membership) -> Membership:
    """An employee who left the company stays in the network as alumni (the HR system says
    when). Rights of the employee role end at once, open sockets included; the caller records
    and announces it."""
    if target.role != Role.EMPLOYEE:
        return target
    target.role = Role.ALUMNI
    target.save(update_fields=["role"])
    reconnect_membership(target)
    return target


@transaction.atomic
def do_change_status(actor: Membership, target: Membership, status: str) -> Membership:
    """Suspending or removing a member ends their access at once, open sockets included."""
    check_manage_member_permission(actor, target)
    if status not in Status.values:
        raise ValidationError(_("Unknown status."))
    if status == target.status:
        return target
    _ensure_an_operator_remains(target, target.role, status)
    previous = target.status
    target.status = status
    target.status_changed_at = timezone.now()
    target.save(update_fields=["status", "status_changed_at"])
    record(actor, AuditAction.CHANGE_STATUS, target=target, before=previous, after=status)
    if status != Status.ACTIVE:
        disconnect_membership(target)
    return target


@transaction.atomic
def do_leave_network(member: Membership) -> Membership:
    """The member leaves the network of their own choice.

    The membership ends (LEFT), which the apps follow through the membership's save: the
    directory row goes, places that came with a role end, cached pages stop naming the person
    (their content shows as 「退会したメンバー」, tenancy/names.py). Their open sockets in this
    network close after commit; the operators are told. Refused for the last operator
    (check_leave_permission) and answered 404 for someone who is not an active member.
    Callable with or without the network's scope (from the account's erasure too).
    """
    network = Network.objects.get(pk=member.network_id)
    with scope(network=network):
        # Locked, so that two operators leaving at once cannot both pass the last-operator
        # rule; the member's row is read again under its lock.
        list(
            Membership.objects.select_for_update()
            .filter(network=network, role=Role.OPERATOR, status=Status.ACTIVE)
            .values_list("pk", flat=True)
        )
        member = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=member.pk)
        )
        member.network = network
        check_leave_permission(member)
        previous = member.status
        member.status = Status.LEFT
        member.status_changed_at = timezone.now()
        member.left_by_choice = True
        member.save(update_fields=["status", "status_changed_at", "left_by_choice"])
        record(member, AuditAction.CHANGE_STATUS, target=member, before=previous, after=Status.LEFT)
        disconnect_membership(member)
        from tsunagu.notify.actions import notify

        notify(
            network,
            filter_active_members(network).filter(role=Role.OPERATOR).values("user_id"),
            "member_left",
            params={"name": member.user.name},
            url=reverse("onboarding:members", kwargs={"network_slug": network.slug})
            + f"?status={Status.LEFT}",
            actor=member.user,
        )
    return member


# The name the erasure of an account calls: leaving every network comes first.
leave_network = do_leave_network


def do_note_seen(membership_id: int) -> None:
    """Remembers that the member opened the network; one write per quarter hour at most.

    The first visit of the network's day always passes, even minutes after the last one of the
    day before, so a day on which the member came is never missed (``member_seen``).
    """
    now = timezone.now()
    since = max(now - SEEN_EVERY, day_start(now))
    with scopes_disabled():  # called from the socket handshake and the login, outside a network
        noted = (
            Membership.objects.filter(pk=membership_id)
            .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=since))
            .update(last_seen_at=now)
        )
    if noted:
        member_seen.send(sender=Membership, membership_id=membership_id, at=now)


@transaction.atomic
def do_update_network(actor: Membership, form: NetworkSettingsForm) -> Network:
    """Saves a validated settings form of the actor's own network."""
    network = form.instance
    check_operator_permission(actor)
    if actor.network_id != network.pk:
        raise PermissionDenied
    return form.save()
