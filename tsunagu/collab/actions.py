"""Every write of links between networks and of members' choices about them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, record
from tsunagu.core.queue import queue_after_commit
from tsunagu.core.text import strip_control
from tsunagu.notify.actions import notify
from tsunagu.realtime.events import close_group, send_event
from tsunagu.talk.actions import check_rate
from tsunagu.tenancy.models import Membership, Network

from .access import (
    access_directory_link,
    can_use_shared_room,
    check_answer_permission,
    check_create_shared_room_permission,
    check_manage_links_permission,
    check_revoke_permission,
    check_use_shared_room_permission,
    check_withdraw_scope_permission,
)
from .models import (
    PENDING_STATES,
    REQUEST_DAYS,
    SCOPE_ORDER,
    SHARED_MESSAGE_MAX,
    Link,
    LinkState,
    OptIn,
    Scope,
    SharedMessage,
    SharedRoom,
    SharedRoomMember,
    shared_room_group,
    shared_room_member_group,
)
from .rooms import joined_user_ids, message_frame, record_names_shown

ACCEPT, DECLINE, COUNTER = "accept", "decline", "counter"


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = set(scopes)
    cleaned = [s for s in SCOPE_ORDER if s in chosen]
    if not cleaned or len(cleaned) != len(chosen):
        raise ValidationError({"scopes": _("Choose at least one thing to share.")})
    return cleaned


def _pending_request_error() -> ValidationError:
    return ValidationError(
        {"slug": _("A request to this network is already waiting for an answer.")}
    )


def _tell_other_side(link: Link, change: str, acting: Network) -> None:
    from .tasks import tell_other_side

    queue_after_commit(tell_other_side, link.pk, change, acting.pk)


def _waiting_for_us(network_id: int) -> Q:
    """The requests the asking side sees waiting: pending ones, and first requests declined that
    have not lapsed yet (the asking side learns of the decline at the lapse)."""
    return Q(network_id=network_id) & (
        Q(state__in=PENDING_STATES) | Q(state=LinkState.DECLINED, answered=False, asker_told=False)
    )


def do_request_link(member: Membership, *, slug: str, scopes: Iterable[str], message: str) -> Link:
    """Asks the network at ``slug`` to link. An address of no active network gets the same
    answer as one that exists: a request that waits (its partner empty, so nobody answers it)
    until it lapses after REQUEST_DAYS, as one declined does, and the same work in this request;
    whatever the other side does happens in a task."""
    check_manage_links_permission(member)
    lapse_due(member.network_id)
    slug = slug.strip().lower()
    cleaned = _clean_scopes(scopes)
    if slug == member.network.slug:
        raise ValidationError(
            {"slug": _("This is your own network. Enter another network's address.")}
        )
    with scopes_disabled():
        partner = Network.objects.filter(slug=slug, is_active=True).first()
    try:
        with transaction.atomic():
            # Two clicks of the same button queue here, one after the other (PostgreSQL).
            Network.objects.select_for_update().filter(pk=member.network_id).first()
            with scopes_disabled():
                waiting = (
                    Link.objects.filter(_waiting_for_us(member.network_id))
                    .filter(asked_slug=slug)
                    .first()
                )
                if waiting is not None:
                    if (
                        waiting.requested_by_id == member.user_id
                        and waiting.state_for(member.network_id) == LinkState.REQUESTED
                        and waiting.scopes == cleaned
                        and waiting.message == message
                    ):
                        return waiting  # the same request sent twice: one request
                    raise _pending_request_error()
                # Asked for an unknown address too (no row can match): the same statements.
                _check_no_open_link(member.network_id, partner.pk if partner else 0)
                link = Link.objects.create(
                    network_id=member.network_id,
                    partner=partner,
                    asked_slug=slug,
                    scopes=cleaned,
                    message=message,
                    awaiting=partner,
                    requested_by_id=member.user_id,
                    expires_at=timezone.now() + timedelta(days=REQUEST_DAYS),
                )
            record(
                member, AuditAction.LINK_REQUEST, name=slug, label=", ".join(link.scope_labels())
            )
            _tell_other_side(link, LinkState.REQUESTED, member.network)
    except IntegrityError:
        raise _pending_request_error() from None
    return link


def _check_no_open_link(network_id: int, partner_id: int) -> None:
    found = (
        Link.objects.of_network(network_id)
        .filter(partner_id__isnull=False, state__in=[*PENDING_STATES, LinkState.ACTIVE])
        .filter(network_id__in=[network_id, partner_id], partner_id__in=[network_id, partner_id])
        .first()
    )
    if found is None:
        return
    if found.state == LinkState.ACTIVE:
        raise ValidationError({"slug": _("Your networks are already linked.")})
    if found.network_id != network_id:
        raise ValidationError(
            {"slug": _("This network has asked to link with yours: answer its request below.")}
        )
    raise _pending_request_error()


def _locked(link: Link) -> Link:
    with scopes_disabled():
        return (
            Link.objects.select_for_update(of=("self",))
            .select_related("network", "partner")
            .get(pk=link.pk)
        )


@transaction.atomic
def do_answer_link(
    member: Membership, link: Link, decision: str, scopes: Iterable[str] = ()
) -> Link:
    """The awaited side accepts, declines, or answers with other scopes (which the other side
    must then accept)."""
    link = _locked(link)
    check_answer_permission(member, link)
    now = timezone.now()
    if decision == ACCEPT:
        link.state, link.awaiting, link.accepted_at = LinkState.ACTIVE, None, now
        action = AuditAction.LINK_ACCEPT
    elif decision == DECLINE:
        link.state, link.awaiting = LinkState.DECLINED, None
        link.ended_at, link.ended_by_id = now, member.network_id
        action = AuditAction.LINK_DECLINE
        if not link.answered:
            # A first request: the asking side learns of it when it lapses (lapse_due).
            link.save()
            record(
                member, action, name=_other_name(link, member), label=", ".join(link.scope_labels())
            )
            return link
    elif decision == COUNTER:
        cleaned = _clean_scopes(scopes)
        if cleaned == link.scopes:
            raise ValidationError(
                {"scopes": _("These are the terms proposed: accept them, or change them.")}
            )
        link.scopes = cleaned
        link.state = LinkState.COUNTERED
        link.awaiting = link.other_side(member.network_id)
        action = AuditAction.LINK_COUNTER
    else:
        raise ValidationError(_("Choose an answer."))
    link.answered = link.answered or member.network_id == link.partner_id
    link.asker_told = True
    link.save()
    record(member, action, name=_other_name(link, member), label=", ".join(link.scope_labels()))
    _tell_other_side(link, link.state, member.network)
    return link


@transaction.atomic
def do_revoke_link(member: Membership, link: Link) -> Link:
    """Either side ends the link, or withdraws or refuses a request, at once: nobody is visible
    across it from the next request on."""
    link = _locked(link)
    check_revoke_permission(member, link)
    link.state, link.awaiting = LinkState.REVOKED, None
    link.ended_at, link.ended_by_id = timezone.now(), member.network_id
    link.answered = link.answered or member.network_id == link.partner_id
    link.asker_told = True
    link.save()
    record(
        member,
        AuditAction.LINK_REVOKE,
        name=_other_name(link, member),
        label=", ".join(link.scope_labels()),
    )
    _tell_other_side(link, LinkState.REVOKED, member.network)
    _archive_shared_rooms(link)
    from .cohosting import end_cohosts_of_link

    end_cohosts_of_link(member, link)  # the co-hosted events over it end with it
    return link


NARROWED = "narrowed"


@transaction.atomic
def do_withdraw_scope(member: Membership, link: Link, scope_name: str) -> Link:
    """Either side stops sharing one thing over an active link, at once; narrowing needs no
    consent of the other side. Without rooms, the link's shared rooms are archived."""
    link = _locked(link)
    check_withdraw_scope_permission(member, link, scope_name)
    label = dict(Scope.choices)[scope_name]
    link.scopes = [s for s in link.scopes if s != scope_name]
    link.save()
    record(member, AuditAction.LINK_NARROW, name=_other_name(link, member), label=str(label))
    _tell_other_side(link, NARROWED, member.network)
    if scope_name == Scope.ROOMS:
        _archive_shared_rooms(link)
    if scope_name == Scope.EVENTS:
        from .cohosting import end_cohosts_of_link

        end_cohosts_of_link(member, link)  # its co-hosted events end with the sharing
    return link


def lapse_due(network_id: int | None = None) -> int:
    """Ends the first requests past their REQUEST_DAYS that the asking side still sees waiting
    (of one network, or all): unanswered ones lapse, declined ones stay declined for the side that
    declined; the asking side is told alike of both. Returns how many."""
    due = Q(expires_at__lte=timezone.now(), answered=False, asker_told=False) & Q(
        state__in=[LinkState.REQUESTED, LinkState.DECLINED]
    )
    if network_id is not None:
        due &= Q(network_id=network_id)
    with scopes_disabled():
        ids = list(Link.objects.filter(due).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic(), scopes_disabled():
            link = Link.objects.select_for_update().filter(due, pk=pk).first()
            if link is None:
                continue  # answered, withdrawn or told meanwhile
            if link.state == LinkState.REQUESTED:
                link.state, link.awaiting, link.ended_at = LinkState.LAPSED, None, timezone.now()
            link.asker_told = True
            link.save()
            from .tasks import tell_lapse

            queue_after_commit(tell_lapse, link.pk)
    return len(ids)


def _other_name(link: Link, member: Membership) -> str:
    return link.other_name(member.network_id)


@transaction.atomic
def do_set_opt_in(member: Membership, link_id: object, *, visible: bool) -> OptIn | None:
    """The member opts in to being shown to the linked network's members, or out (at once)."""
    link = access_directory_link(member, link_id)
    with scopes_disabled():
        current = (
            OptIn.objects.select_for_update()
            .filter(membership_id=member.pk, link=link, opted_out_at__isnull=True)
            .first()
        )
        if visible:
            if current is not None:
                return current
            return OptIn.objects.create(network_id=member.network_id, membership=member, link=link)
        if current is not None:
            current.opted_out_at = timezone.now()
            current.save(update_fields=["opted_out_at"])
    return None


@transaction.atomic
def do_note_disclosure_export(member: Membership, *, rows: int) -> None:
    """Exporting the disclosure records is itself recorded."""
    check_manage_links_permission(member)
    record(member, AuditAction.EXPORT_DISCLOSURES, count=rows)


# --- Shared rooms -------------------------------------------------------------------------------


@transaction.atomic
def do_create_shared_room(member: Membership, link: Link, *, name: str) -> SharedRoom:
    """An operator of either side opens a room on the link; they are its first member."""
    link = _locked(link)
    check_create_shared_room_permission(member, link)
    with scopes_disabled():
        room = SharedRoom.objects.create(
            network_id=member.network_id, link=link, name=name, created_by=member
        )
        SharedRoomMember.objects.create(network_id=member.network_id, room=room, membership=member)
    return room


def _locked_room(room: SharedRoom) -> SharedRoom:
    with scopes_disabled():
        return (
            SharedRoom.objects.select_for_update(of=("self",))
            .select_related("link__network", "link__partner")
            .get(pk=room.pk)
        )


@transaction.atomic
def do_join_shared_room(member: Membership, room: SharedRoom) -> None:
    """The member chooses to join (and so to be seen there by the other side's members)."""
    room = _locked_room(room)
    if not can_use_shared_room(member, room, joined=True):
        raise ValidationError(_("This room is closed."), code="closed")
    with scopes_disabled():
        if not SharedRoomMember.objects.filter(
            room=room, membership=member, left_at__isnull=True
        ).exists():
            SharedRoomMember.objects.create(
                network_id=member.network_id, room=room, membership=member
            )


@transaction.atomic
def do_leave_shared_room(member: Membership, room: SharedRoom) -> None:
    """The member leaves: their joining ends (kept as the consent the room's disclosure records
    of their name refer to), and their sockets on the room close at the commit."""
    with scopes_disabled():
        SharedRoomMember.objects.filter(
            room_id=room.pk, membership_id=member.pk, left_at__isnull=True
        ).update(left_at=timezone.now())
    close_group(shared_room_member_group(room.pk, member.pk))


@transaction.atomic
def do_post_shared_message(
    member: Membership, room: SharedRoom, body: str, *, rate_limited: bool = True
) -> SharedMessage:
    """A joined member writes in an open room; both sides' joined members get it live, each
    side with the names its own network shows."""
    room = _locked_room(room)
    check_use_shared_room_permission(member, room)
    body = strip_control(body, lines=True).strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > SHARED_MESSAGE_MAX:
        raise ValidationError(
            {"body": _("A message has at most %(max)d characters.") % {"max": SHARED_MESSAGE_MAX}}
        )
    if rate_limited:
        check_rate(member)  # talk's limit, counted with the member's messages in talk rooms
    with scopes_disabled():
        message = SharedMessage.objects.create(
            network_id=member.network_id, room=room, sender=member, body=body
        )
    message.sender = member
    for side in (room.link.network, room.link.partner):
        if side is None:
            continue
        readers = joined_user_ids(room, side.pk)
        send_event(side, message_frame(side.pk, message), readers)
        if readers and side.pk != member.network_id:
            record_names_shown(side.pk, room, [member])
    return message


def _archive_shared_rooms(link: Link) -> None:
    """Archives the link's open rooms (inside the caller's transaction): their sockets on both
    sides close at the commit, and their joined members are told."""
    with scopes_disabled():
        rooms = list(
            SharedRoom.objects.select_for_update().filter(link_id=link.pk, archived_at__isnull=True)
        )
    now = timezone.now()
    for room in rooms:
        room.archived_at = now
        room.save(update_fields=["archived_at"])
        close_group(shared_room_group(room.pk))
        for side in (link.network, link.partner):
            if side is None or not side.is_active:
                continue
            with scope(network=side):
                notify(
                    side,
                    joined_user_ids(room, side.pk),
                    "shared_room_closed",
                    params={"room": room.name, "network": link.other_name(side.pk)},
                    url=reverse("collab:rooms", kwargs={"network_slug": side.slug}),
                )


@transaction.atomic
def do_note_shared_room_export(member: Membership, room: SharedRoom, *, rows: int) -> None:
    """Exporting a room's messages is itself recorded."""
    check_manage_links_permission(member)
    record(member, AuditAction.EXPORT_SHARED_ROOM, name=room.name, count=rows)
