"""Every write of co-hosted events: invitations and their answers, the end of a co-hosting, and
the applications of a partner's members (their rows carry their own network).

Places: a partner invited with a quota has that many places kept for its members; one invited
without shares the event's capacity with the owner's members (``events.actions.seats_taken``
counts them). Every change of who holds a place locks the event's row first, as the events app
does, so neither the capacity nor a quota is ever exceeded.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, record
from tsunagu.core.queue import queue_after_commit
from tsunagu.events.access import may_apply
from tsunagu.events.actions import CANCELLABLE, cancel_registration, seats_taken
from tsunagu.events.models import SEATED, Event, Registration, RegistrationStatus
from tsunagu.notify.actions import notify
from tsunagu.tenancy.models import Membership

from .access import (
    check_answer_cohost_permission,
    check_cohost_manage_permission,
    check_end_cohost_permission,
    invitable_links,
)
from .models import CoHost, CoHostState, Link

OPEN = (CoHostState.INVITED, CoHostState.ACCEPTED)


def _tell_other_side(row: CoHost, action: str, acting_network_id: int) -> None:
    from .tasks import tell_cohost_other_side

    queue_after_commit(tell_cohost_other_side, row.pk, action, acting_network_id)


def _audit(member: Membership, row: CoHost, action: str) -> None:
    other = row.partner if member.network_id == row.network_id else row.network
    record(member, action, name=other.name, label=row.event.title)
    _tell_other_side(row, action, member.network_id)


def _locked(row: CoHost) -> CoHost:
    with scopes_disabled():
        return (
            CoHost.objects.select_for_update(of=("self",))
            .select_related("event", "network", "partner")
            .get(pk=row.pk)
        )


@transaction.atomic
def do_invite_cohost(
    member: Membership, event: Event, link_id: object, quota: int | None = None
) -> CoHost:
    """The owner's operator invites a linked network to co-host ``event``; its operators
    accept or decline. ``quota``: places kept for its members (None: they share the event's)."""
    check_cohost_manage_permission(member, event)
    link = next((ln for ln in invitable_links(member, event) if str(ln.pk) == str(link_id)), None)
    if link is None:
        raise ValidationError({"link": _("Choose a linked network that shares events.")})
    if event.called_off_at is not None or event.is_past:
        raise ValidationError(_("This event can no longer be co-hosted."))
    partner = link.other_side(member.network_id)
    assert partner is not None
    with scopes_disabled():
        row, _new = CoHost.objects.select_for_update().get_or_create(
            event=event,
            partner=partner,
            defaults={"network_id": event.network_id, "link": link},
        )
        if row.state in OPEN and not _new:
            raise ValidationError({"link": _("This network is already invited.")})
        row.link, row.state, row.quota = link, CoHostState.INVITED, quota
        row.invited_by_id, row.ended_at = member.user_id, None
        row.save()
    row.event = event
    _audit(member, row, AuditAction.COHOST_INVITE)
    return row


@transaction.atomic
def do_answer_cohost(member: Membership, row: CoHost, *, accept: bool) -> CoHost:
    """The partner's operators accept or decline; once accepted, the event shows to their
    members (those its audience admits) from the next request on."""
    row = _locked(row)
    check_answer_cohost_permission(member, row)
    row.state = CoHostState.ACCEPTED if accept else CoHostState.DECLINED
    if not accept:
        row.ended_at = timezone.now()
    row.save()
    _audit(member, row, AuditAction.COHOST_ACCEPT if accept else AuditAction.COHOST_DECLINE)
    return row


@transaction.atomic
def do_end_cohost(member: Membership, row: CoHost) -> CoHost:
    """Either side ends the co-hosting (or withdraws an invitation). The partner's members no
    longer see the event; their applications stay where they are, in their own network, and
    the owner sees them as counts only."""
    row = _locked(row)
    check_end_cohost_permission(member, row)
    row.state, row.ended_at = CoHostState.ENDED, timezone.now()
    row.save()
    _audit(member, row, AuditAction.COHOST_END)
    return row


def end_cohosts_of_link(member: Membership, link: Link) -> None:
    """A link that ends ends every co-hosting over it (inside the ending's transaction)."""
    with scopes_disabled():
        rows = list(
            CoHost.objects.filter(link=link, state__in=OPEN).select_related(
                "event", "network", "partner"
            )
        )
    for row in rows:
        row.state, row.ended_at = CoHostState.ENDED, timezone.now()
        row.save(update_fields=["state", "ended_at", "changed_at"])
        _audit(member, row, AuditAction.COHOST_END)


# --- A partner's members apply ------------------------------------------------------------------


def _lock_event(event: Event) -> Event:
    return Event._base_manager.select_for_update().get(pk=event.pk)


def _pool_taken(event: Event, row: CoHost) -> int:
    if row.quota is None:
        return seats_taken(event)
    return Registration._base_manager.filter(
        event_id=event.pk, network_id=row.partner_id, status__in=SEATED
    ).count()


def places_taken(row: CoHost) -> int:
    """The places taken in the pool a partner's members apply to (for its event page)."""
    return _pool_taken(row.event, row)


def _has_place(event: Event, row: CoHost) -> bool:
    limit = event.capacity if row.quota is None else row.quota
    return limit is None or _pool_taken(event, row) < limit


def guest_url(row: CoHost) -> str:
    return reverse(
        "collab:cohost_event",
        kwargs={"network_slug": row.partner.slug, "event_id": row.event_id},
    )


@transaction.atomic
def do_guest_register(member: Membership, row: CoHost) -> Registration:
    """A partner's member applies: a place while their pool has one, then the waiting list
    (where the event keeps one), else a refusal that says whose places are taken. Approval
    mode is the owner's organisers' and applies to its members; a partner vouches for its own."""
    event = _lock_event(row.event)
    if not may_apply(member, event) or member.network_id != row.partner_id:
        raise PermissionDenied
    if not event.is_open:
        raise ValidationError(_("Applications for this event are closed."))
    existing = Registration._base_manager.filter(event_id=event.pk, user_id=member.user_id).first()
    if existing is not None and existing.is_live:
        raise ValidationError(_("You have already applied for this event."))
    if existing is not None and existing.status == RegistrationStatus.DECLINED:
        raise ValidationError(_("Your application to this event was not accepted."))
    if _has_place(event, row):
        status = RegistrationStatus.CONFIRMED
    elif event.waitlist:
        status = RegistrationStatus.WAITLISTED
    elif row.quota is not None:
        raise ValidationError(_("The places kept for members of your network are all taken."))
    else:
        raise ValidationError(_("This event is full."))
    registration = existing or Registration(event=event, user_id=member.user_id)
    # The member's own network: the owner's pages, scoped to its network, never list them.
    registration.network_id = member.network_id
    registration.status, registration.answers = status, []
    registration.applied_at = timezone.now()
    registration.save()
    return registration


@transaction.atomic
def do_guest_cancel(member: Membership, row: CoHost) -> Registration:
    """A partner's member cancels; a freed place goes to the oldest waiting member of their
    network (each network serves its own waiting list)."""
    event = _lock_event(row.event)
    mine = Registration._base_manager.filter(
        event_id=event.pk,
        user_id=member.user_id,
        network_id=member.network_id,
        status__in=CANCELLABLE,
    )
    registration = cancel_registration(event, mine.first())
    waiting = Registration._base_manager.filter(
        event_id=event.pk, network_id=row.partner_id, status=RegistrationStatus.WAITLISTED
    ).order_by("applied_at", "id")
    promoted = []
    for candidate in waiting:
        if not _has_place(event, row):
            break
        candidate.status = RegistrationStatus.CONFIRMED
        candidate.save(update_fields=["status", "updated_at"])
        promoted.append(candidate.user_id)
    if promoted:
        with scope(network=row.partner):
            notify(
                row.partner,
                promoted,
                "event_confirmed",
                params={"title": event.title},
                url=guest_url(row),
            )
    return registration


def notify_partner_members(
    event: Event,
    kind: str,
    statuses: tuple[str, ...],
    params: dict[str, str],
    body: str = "",
) -> int:
    """Tells the members of the networks co-hosting ``event`` who applied from there (those in
    ``statuses``) what its owner's members are told (a reminder, a calling-off), each in their
    own network, with their own address of the event. Ended co-hostings are told too: their
    members' places stand."""
    with scopes_disabled():
        rows = list(
            CoHost.objects.filter(event_id=event.pk, state__in=(*OPEN, CoHostState.ENDED))
            .exclude(state=CoHostState.INVITED)
            .select_related("partner")
        )
        told = 0
        for row in rows:
            if not row.partner.is_active:
                continue
            users = list(
                Registration._base_manager.filter(
                    event_id=event.pk, network_id=row.partner_id, status__in=statuses
                ).values_list("user_id", flat=True)
            )
            if users:
                row.event = event
                with scope(network=row.partner):
                    notify(row.partner, users, kind, params=params, body=body, url=guest_url(row))
                told += len(users)
    return told
