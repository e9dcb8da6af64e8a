"""Who may do what with links between networks, and who is visible across them.

Every rule once: views, actions and tests call these functions; none writes a rule of its own.
The rule of visibility across a link is stated twice, for one pair (``visible_across``) and for
a list (``filter_profiles_visible_across``), and the property test in
``tests/test_visibility_property.py`` holds them to the same simple model.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.events.models import Event
from tsunagu.profiles.models import Audience, Profile
from tsunagu.profiles.visibility import audience_of
from tsunagu.tenancy.access import check_operator_permission
from tsunagu.tenancy.models import Membership, Status

from .models import (
    OPEN_STATES,
    CoHost,
    CoHostState,
    Link,
    LinkState,
    OptIn,
    Scope,
    SharedRoom,
    SharedRoomMember,
)

# Shown to linked networks whenever the member opted in: who they are (as the display name is
# shown to every member of their own network). Every other field follows its audience.
ALWAYS_SHOWN = "name"


# --- Managing links (operators) -------------------------------------------------------------


def check_manage_links_permission(member: Membership) -> None:
    """Links are the operators'; a demoted operator loses them at the next request."""
    check_operator_permission(member)


def filter_links_for(member: Membership) -> QuerySet[Link]:
    """The links of the member's network, asked or asking, newest first (by when they were
    asked: an order by last change would tell of a decline the asking side may not know of)."""
    check_manage_links_permission(member)
    with scopes_disabled():
        return (
            Link.objects.of_network(member.network_id)
            .select_related("network", "partner")
            .order_by("-created_at", "-id")
        )


def access_link(member: Membership, link_id: object) -> Link:
    """One link of the member's network, for its operators; 404 for missing and not-yours."""
    check_manage_links_permission(member)
    try:
        with scopes_disabled():
            return (
                Link.objects.of_network(member.network_id)
                .select_related("network", "partner")
                .get(pk=link_id)
            )
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_answer(member: Membership, link: Link) -> bool:
    return (
        member.is_operator
        and link.is_pending
        and link.awaiting_id == member.network_id
        and not is_lapsed(link)
    )


def is_lapsed(link: Link) -> bool:
    """A first request nobody answered in time: it can no longer be accepted."""
    return (
        link.state == LinkState.REQUESTED
        and link.expires_at is not None
        and timezone.now() >= link.expires_at
    )


def check_answer_permission(member: Membership, link: Link) -> None:
    """Accepting, declining or proposing other terms: only the side the link waits for, only
    while it waits."""
    check_manage_links_permission(member)
    if not link.is_side(member.network_id):
        raise Http404
    if link.state == LinkState.REVOKED:
        raise ValidationError(
            _("This link was ended. It can no longer be accepted: ask again for a new link."),
            code="ended",
        )
    if link.state == LinkState.DECLINED:
        raise ValidationError(
            _("This request was declined. It can no longer be accepted: ask again."),
            code="declined",
        )
    if link.state == LinkState.ACTIVE:
        raise ValidationError(_("This link is already active."), code="active")
    if link.state == LinkState.LAPSED or is_lapsed(link):
        raise ValidationError(
            _("This request was not answered in time. It can no longer be accepted: ask again."),
            code="lapsed",
        )
    if link.awaiting_id != member.network_id:
        raise ValidationError(_("The other network has not answered yet."), code="not_your_turn")


def can_revoke(member: Membership, link: Link) -> bool:
    """Open as this side knows it: the asking side withdraws a request it sees waiting, even one
    declined without its knowing."""
    return (
        member.is_operator
        and link.state_for(member.network_id) in OPEN_STATES
        and not _first_request_to(member, link)
    )


def _first_request_to(member: Membership, link: Link) -> bool:
    """A first request the member's network was asked and has not answered: it is declined (so
    that the asking side learns of it only at the lapse), not ended."""
    return (
        link.partner_id == member.network_id
        and link.state == LinkState.REQUESTED
        and not link.answered
    )


def check_revoke_permission(member: Membership, link: Link) -> None:
    """Either side may end a link (or withdraw or refuse a request) at any time."""
    check_manage_links_permission(member)
    if not link.is_side(member.network_id):
        raise Http404
    if link.state_for(member.network_id) not in OPEN_STATES:
        raise ValidationError(_("This link has already ended."), code="ended")
    if _first_request_to(member, link):
        raise ValidationError(
            _("Answer this request: accept it, propose other terms or decline it."),
            code="answer",
        )


def can_withdraw_scope(member: Membership, link: Link) -> bool:
    return member.is_operator and link.state == LinkState.ACTIVE and len(link.scopes or []) > 1


def check_withdraw_scope_permission(member: Membership, link: Link, scope: str) -> None:
    """Either side stops sharing one thing over an active link without the other's consent;
    the last thing shared goes by ending the link."""
    check_manage_links_permission(member)
    if not link.is_side(member.network_id):
        raise Http404
    if link.state != LinkState.ACTIVE:
        raise ValidationError(_("Only an active link can share less."), code="not_active")
    if scope not in (link.scopes or []):
        raise ValidationError(_("This link does not share that."), code="not_shared")
    if len(link.scopes) == 1:
        raise ValidationError(
            _("This is the last thing the link shares: end the link instead."), code="last"
        )


# --- Members' choices -------------------------------------------------------------------------


def directory_links(network_id: int) -> list[Link]:
    """The network's active links whose scope includes the directory, between two networks that
    are both active (a network switched off shows nobody and sees nobody)."""
    with scopes_disabled():
        links = Link.objects.of_network(network_id).live().select_related("network", "partner")
        return [link for link in links if Scope.DIRECTORY in (link.scopes or [])]


def access_directory_link(member: Membership, link_id: object) -> Link:
    """A link the member may opt in to or out of: active, sharing the directory, theirs."""
    if member.status != Status.ACTIVE:
        raise Http404
    for link in directory_links(member.network_id):
        if str(link.pk) == str(link_id):
            return link
    raise Http404


def current_opt_ins(member: Membership) -> dict[int, OptIn]:
    """The member's current opt-ins, by link id."""
    with scopes_disabled():
        rows = OptIn.objects.filter(membership_id=member.pk, opted_out_at__isnull=True)
        return {row.link_id: row for row in rows}


# --- Visibility across a link ------------------------------------------------------------------


def _directory_link_between(network_id: int, other_id: int) -> Link | None:
    for link in directory_links(network_id):
        if link.is_side(other_id):
            return link
    return None


def _member_in(user_id: int, network_id: int) -> bool:
    with scopes_disabled():
        return Membership.objects.filter(
            user_id=user_id, network_id=network_id, status=Status.ACTIVE
        ).exists()


def consent_for(viewer: Membership, subject: Membership) -> OptIn | None:
    """The subject's current opt-in that lets the viewer's network see them, or None: the link
    between their networks is active and shares the directory, both are active members, and the
    viewer's network does not hold the subject's person already (shown there as themselves)."""
    if viewer.status != Status.ACTIVE or subject.status != Status.ACTIVE:
        return None
    if viewer.network_id == subject.network_id:
        return None
    link = _directory_link_between(viewer.network_id, subject.network_id)
    if link is None:
        return None
    if _member_in(subject.user_id, viewer.network_id):
        return None
    with scopes_disabled():
        return OptIn.objects.filter(
            membership_id=subject.pk, link=link, opted_out_at__isnull=True
        ).first()


def field_shared_across(profile: Profile, field: str) -> bool:
    return field == ALWAYS_SHOWN or audience_of(profile, field) == Audience.LINKED


def visible_across(viewer: Membership, subject: Membership, field: str) -> bool:
    """Whether the viewer (a member of another network) may see ``field`` of the subject. The
    one rule: the link between their networks is active and its scope includes the directory,
    the subject opted in to that link, and the field's audience is linked networks."""
    if consent_for(viewer, subject) is None:
        return False
    with scopes_disabled():
        profile = Profile.objects.filter(membership_id=subject.pk).first()
    if profile is None:
        return field == ALWAYS_SHOWN
    return field_shared_across(profile, field)


def filter_profiles_visible_across(
    viewer: Membership,
    queryset: QuerySet[Profile] | None = None,
    *,
    links: list[Link] | None = None,
) -> QuerySet[Profile]:
    """The profiles of other networks' members the viewer may see (each at least by name; its
    fields by ``field_shared_across``): the list form of ``visible_across``. Unscoped on purpose:
    the rows belong to the linked networks, which the rule names one by one."""
    with scopes_disabled():
        base = queryset if queryset is not None else Profile.objects.all()
        if viewer.status != Status.ACTIVE:
            return base.none()
        if links is None:
            links = directory_links(viewer.network_id)
        if not links:
            return base.none()
        partners = [link.other_side(viewer.network_id) for link in links]
        partner_ids = [p.pk for p in partners if p is not None]
        consented = OptIn.objects.filter(
            membership_id=OuterRef("membership_id"),
            link_id__in=[link.pk for link in links],
            network_id=OuterRef("network_id"),
            opted_out_at__isnull=True,
        )
        already_here = Membership.objects.filter(
            network_id=viewer.network_id, status=Status.ACTIVE
        ).values("user_id")
        return base.filter(
            Exists(consented),
            Q(network_id__in=partner_ids),
            membership__status=Status.ACTIVE,
        ).exclude(membership__user_id__in=already_here)


# --- Shared rooms -------------------------------------------------------------------------------


def rooms_links(network_id: int) -> list[Link]:
    """The network's active links whose scope includes rooms, between two active networks."""
    with scopes_disabled():
        links = Link.objects.of_network(network_id).live().select_related("network", "partner")
        return [link for link in links if Scope.ROOMS in (link.scopes or [])]


def shares_rooms(link: Link) -> bool:
    return (
        link.state == LinkState.ACTIVE
        and Scope.ROOMS in (link.scopes or [])
        and link.network.is_active
        and link.partner is not None
        and link.partner.is_active
    )


def room_is_open(room: SharedRoom) -> bool:
    """A room is open while it is not archived and its link is active and shares rooms."""
    return not room.is_archived and shares_rooms(room.link)


def is_joined(member: Membership, room: SharedRoom) -> bool:
    with scopes_disabled():
        return SharedRoomMember.objects.filter(
            room_id=room.pk, membership_id=member.pk, left_at__isnull=True
        ).exists()


def can_use_shared_room(
    member: Membership, room: SharedRoom, *, joined: bool | None = None
) -> bool:
    """The one rule of a shared room: an active member of either side of its link reads, posts
    and follows it live while the room is open and they joined it. The page, the posting and
    the socket all ask here."""
    if member.status != Status.ACTIVE or not room.link.is_side(member.network_id):
        return False
    if not room_is_open(room):
        return False
    return is_joined(member, room) if joined is None else joined


def check_use_shared_room_permission(member: Membership, room: SharedRoom) -> None:
    if not can_use_shared_room(member, room):
        raise Http404


def find_shared_room(room_id: object) -> SharedRoom | None:
    try:
        with scopes_disabled():
            return (
                SharedRoom.objects.select_related("link__network", "link__partner")
                .filter(pk=room_id)  # type: ignore[misc]
                .first()
            )
    except (ValueError, TypeError):
        return None


def access_shared_room(member: Membership, room_id: object) -> SharedRoom:
    """An open shared room of one of the member's network's links, which they may join; 404
    for missing, another network's, archived or on an ended link alike."""
    room = find_shared_room(room_id)
    if room is None or member.status != Status.ACTIVE or not room.link.is_side(member.network_id):
        raise Http404
    if not room_is_open(room):
        raise Http404
    return room


def check_create_shared_room_permission(member: Membership, link: Link) -> None:
    """An operator of either side opens rooms on an active link that shares rooms."""
    check_manage_links_permission(member)
    if not link.is_side(member.network_id):
        raise Http404
    if not shares_rooms(link):
        raise ValidationError(_("This link does not share talk rooms."), code="no_rooms")


def access_exportable_shared_room(member: Membership, room_id: object) -> SharedRoom:
    """A shared room of the network's links, open or archived, for its operators' export of
    what their own members wrote."""
    check_manage_links_permission(member)
    room = find_shared_room(room_id)
    if room is None or not room.link.is_side(member.network_id):
        raise Http404
    return room


def filter_shared_rooms_for(member: Membership) -> list[SharedRoom]:
    """The open rooms of the member's network's links, each marked ``joined``."""
    if member.status != Status.ACTIVE:
        return []
    links = rooms_links(member.network_id)
    if not links:
        return []
    with scopes_disabled():
        rooms = list(
            SharedRoom.objects.filter(link__in=links, archived_at__isnull=True)
            .select_related("link__network", "link__partner")
            .order_by("-created_at", "-id")
        )
        joined = set(
            SharedRoomMember.objects.filter(
                membership_id=member.pk, room_id__in=[r.pk for r in rooms], left_at__isnull=True
            ).values_list("room_id", flat=True)
        )
    for room in rooms:
        room.joined = room.pk in joined  # type: ignore[attr-defined]
    return rooms


def filter_archived_shared_rooms_for(member: Membership) -> list[SharedRoom]:
    """Archived rooms of the network's links: hidden from members, listed for the operators'
    export."""
    if not member.is_operator or member.status != Status.ACTIVE:
        return []
    with scopes_disabled():
        return list(
            SharedRoom.objects.filter(
                Q(link__network_id=member.network_id) | Q(link__partner_id=member.network_id)
            )
            .filter(archived_at__isnull=False)
            .select_related("link__network", "link__partner")
            .order_by("-archived_at", "-id")
        )


# --- Co-hosted events ---------------------------------------------------------------------------
# An event of one network (its owner) co-hosted by another (a partner): the partner's operators
# accepted, and the link between the two is active and shares events. The moment the link ends
# (or either side ends the co-hosting) the partner's members no longer see the event.


def events_links(network_id: int) -> list[Link]:
    """The network's active links whose scope includes events, between two active networks."""
    with scopes_disabled():
        links = Link.objects.of_network(network_id).live().select_related("network", "partner")
        return [link for link in links if Scope.EVENTS in (link.scopes or [])]


def live_cohosts(event: Event) -> list[CoHost]:
    """The partners co-hosting ``event`` now: accepted, over a link that is still active and
    still shares events."""
    links = {link.pk for link in events_links(event.network_id)}
    with scopes_disabled():
        rows = CoHost.objects.filter(
            event_id=event.pk, state=CoHostState.ACCEPTED, link_id__in=links
        ).select_related("partner")
        return list(rows)


def check_cohost_manage_permission(member: Membership, event: Event) -> None:
    """The owner's operators invite partners and end their co-hosting."""
    check_operator_permission(member)
    if event.network_id != member.network_id:
        raise Http404


def access_own_event(member: Membership, event_id: object) -> Event:
    """An event of the member's network, for its operators (404 otherwise)."""
    check_operator_permission(member)
    from tsunagu.events.access import access_event

    return access_event(member, event_id)


def cohost_rows_of(event: Event) -> list[CoHost]:
    with scopes_disabled():
        return list(
            CoHost.objects.filter(event_id=event.pk)
            .select_related("partner", "link")
            .order_by("pk")
        )


def invitable_links(member: Membership, event: Event) -> list[Link]:
    """The links over which the event's owner may invite a partner: active, sharing events,
    with a network that is not co-hosting it or invited already."""
    taken = {
        row.partner_id
        for row in cohost_rows_of(event)
        if row.state in (CoHostState.INVITED, CoHostState.ACCEPTED)
    }
    return [
        link
        for link in events_links(member.network_id)
        if link.other_side(member.network_id) is not None
        and link.other_side(member.network_id).pk not in taken  # type: ignore[union-attr]
    ]


def access_invitation(member: Membership, event_id: object) -> CoHost:
    """The invitation of the member's network to co-host ``event_id``, for its operators to
    answer or end: 404 unless it exists over a link that is still active."""
    check_operator_permission(member)
    links = {link.pk for link in events_links(member.network_id)}
    try:
        with scopes_disabled():
            return CoHost.objects.select_related("event", "network", "link").get(
                event_id=event_id,  # type: ignore[misc]
                partner_id=member.network_id,
                link_id__in=links,
                state__in=(CoHostState.INVITED, CoHostState.ACCEPTED),
            )
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def check_answer_cohost_permission(member: Membership, row: CoHost) -> None:
    check_operator_permission(member)
    if row.partner_id != member.network_id:
        raise Http404
    if row.state != CoHostState.INVITED:
        raise ValidationError(_("This invitation was already answered."), code="answered")


def filter_guest_cohosts(member: Membership, *, upcoming: bool = False) -> list[CoHost]:
    """The co-hosted events of other networks that the member may see from their own network:
    co-hosting now, and of an audience that admits the member's role (``upcoming``: not
    over yet)."""
    from tsunagu.events.access import audiences_for

    audiences = audiences_for(member)
    if not audiences:
        return []
    links = {link.pk for link in events_links(member.network_id)}
    if not links:
        return []
    with scopes_disabled():
        return list(
            CoHost.objects.filter(
                partner_id=member.network_id,
                state=CoHostState.ACCEPTED,
                link_id__in=links,
                event__audience__in=audiences,
                **({"event__ends_at__gt": timezone.now()} if upcoming else {}),
            )
            .select_related("event", "network")
            .order_by("event__starts_at", "event_id")
        )


def access_guest_event(member: Membership, event_id: object) -> CoHost:
    """A co-hosted event as a partner's member sees it (with its event and owner): 404 for a
    missing event, one not co-hosted with their network now, and one their audience excludes."""
    from tsunagu.events.access import audiences_for

    audiences = audiences_for(member)
    links = {link.pk for link in events_links(member.network_id)}
    try:
        with scopes_disabled():
            return CoHost.objects.select_related("event", "network").get(
                event_id=event_id,  # type: ignore[misc]
                partner_id=member.network_id,
                state=CoHostState.ACCEPTED,
                link_id__in=links,
                event__audience__in=audiences,
            )
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_attendee_event(member: Membership, event_id: object) -> tuple[Event, list[CoHost]]:
    """The event whose attendees an operator reads, with its live co-hosts: the owner's
    operators, and those of a partner co-hosting it now (404 for everyone else)."""
    check_operator_permission(member)
    with scopes_disabled():
        event = Event.objects.select_related("network").filter(pk=event_id).first()  # type: ignore[misc]
    if event is None:
        raise Http404
    cohosts = live_cohosts(event)
    if event.network_id != member.network_id and member.network_id not in {
        row.partner_id for row in cohosts
    }:
        raise Http404
    return event, cohosts


def check_end_cohost_permission(member: Membership, row: CoHost) -> None:
    """Either side's operators end a co-hosting (or withdraw an invitation) at any time."""
    check_operator_permission(member)
    if member.network_id not in (row.network_id, row.partner_id):
        raise Http404
    if row.state not in (CoHostState.INVITED, CoHostState.ACCEPTED):
        raise ValidationError(_("This co-hosting has already ended."), code="ended")


def own_pool_partners_of(event_ids: set[int]) -> dict[int, set[int]]:
    """The same for several events at once: per event, the partners with a quota."""
    found: dict[int, set[int]] = {}
    rows = CoHost._base_manager.filter(event_id__in=event_ids, quota__isnull=False)
    for event_id, partner_id in rows.values_list("event_id", "partner_id"):
        found.setdefault(event_id, set()).add(partner_id)
    return found


def own_pool_partners(event_id: int) -> QuerySet[CoHost, Any]:
    """The partners whose members take places kept for them (a quota), as a subquery of network
    ids: the event's own capacity counts everyone else, whatever their network."""
    return CoHost._base_manager.filter(event_id=event_id, quota__isnull=False).values("partner_id")
