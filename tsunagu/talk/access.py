"""Who may do what in the talk rooms, stated once.

``can_*`` answer (the pages use them to show or hide a button), ``check_*_permission`` raise
(``Http404`` where the room's existence must not be revealed, ``PermissionDenied`` otherwise),
``filter_*_for`` narrow a query and ``access_*`` fetch. The views, the actions and the socket all
call these; no rule is written anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tsunagu.core.sql import Rule, column, object_id, placeholders
from tsunagu.tenancy.access import access_in_network, may_moderate
from tsunagu.tenancy.models import Membership, Role, Status

from . import queries
from .models import MANAGED_KINDS, Attachment, Message, Room, RoomKind, RoomMember

T = TypeVar("T", bound=models.Model)

ALUMNI_ROLES = (Role.ALUMNI, Role.SUPPORTER, Role.OPERATOR)
EMPLOYEE_ROLES = (Role.EMPLOYEE, Role.OPERATOR)


def _role_allows(member: Membership, room: Room) -> bool:
    if room.kind == RoomKind.ALUMNI:
        return member.role in ALUMNI_ROLES
    if room.kind == RoomKind.EMPLOYEE:
        return member.role in EMPLOYEE_ROLES
    return True


def can_view(member: Membership, room: Room, joined: bool) -> bool:
    """Whether the member may read the room. ``joined``: they hold a place in it that counts
    today (places_of(): a place that came with the operator role counts only for operators)."""
    if room.network_id != member.network_id or not member.is_active:
        return False
    if room.kind in (RoomKind.OPEN, RoomKind.ANNOUNCEMENT):
        return True
    if room.kind in (RoomKind.ALUMNI, RoomKind.EMPLOYEE):
        return _role_allows(member, room)
    if room.kind == RoomKind.OFFICE:
        # A conversation with the office: the member who opened it, and whoever is an operator
        # now. Nobody keeps it for having been one.
        return member.is_operator or room.created_by_id == member.pk
    if room.kind == RoomKind.CLOSED:
        # Operators run closed rooms; others are there by invitation.
        return joined or member.is_operator
    return joined  # group chats and direct messages


def place_comes_with_role(member: Membership, room: Room) -> bool:
    """Whether a place the member takes in the room now comes with the operator role: in a
    conversation with the office (but their own), and in a closed room they join or create
    (only operators may); a place given by an invitation does not."""
    if room.kind == RoomKind.OFFICE:
        return room.created_by_id != member.pk
    return room.kind == RoomKind.CLOSED


def check_view_permission(member: Membership, room: Room, joined: bool) -> None:
    """Not found, like a room that does not exist: its existence is not revealed."""
    if not can_view(member, room, joined):
        raise Http404


def check_follow_permission(member: Membership, room: Room, joined: bool) -> None:
    """Following a room live (the socket's send, resume and read): the member reads it and holds
    a place in it. Not found when they may not read it; refused when they are not in it."""
    check_view_permission(member, room, joined)
    if not joined:
        raise PermissionDenied


def can_join(member: Membership, room: Room) -> bool:
    """Whether the member may join by themselves (without an invitation)."""
    if room.is_archived or not member.is_active:
        return False
    if room.kind in (RoomKind.OPEN, RoomKind.ANNOUNCEMENT):
        return True
    if room.kind in (RoomKind.ALUMNI, RoomKind.EMPLOYEE):
        return _role_allows(member, room)
    if room.kind in (RoomKind.CLOSED, RoomKind.OFFICE):
        return member.is_operator
    return False


def check_join_permission(member: Membership, room: Room) -> None:
    if not can_join(member, room):
        raise PermissionDenied


def can_leave(member: Membership, room: Room, joined: bool) -> bool:
    """One leaves a room one is in; a conversation stays with both sides, and everyone may
    read the casual room."""
    if not (joined and member.is_active) or room.is_default:
        return False
    return room.kind not in (RoomKind.DIRECT, RoomKind.OFFICE)


def check_leave_permission(member: Membership, room: Room, joined: bool) -> None:
    if not can_leave(member, room, joined):
        raise PermissionDenied


def can_post(member: Membership, room: Room, joined: bool) -> bool:
    if room.is_archived or not can_view(member, room, joined):
        return False
    if room.kind == RoomKind.ANNOUNCEMENT:
        return member.is_operator
    return joined or can_join(member, room)


def check_post_permission(member: Membership, room: Room, joined: bool) -> None:
    """Posting (and attaching a file, which is part of a message). The member is read again:
    a socket opened before a suspension must not post after it."""
    if not can_post(member, room, joined):
        raise PermissionDenied
    if not Membership.objects.filter(pk=member.pk, status=Status.ACTIVE).exists():
        raise PermissionDenied


def can_see_message(member: Membership, room: Room, message: Message) -> bool:
    """A hidden message is seen only by those who moderate the room (the others find it gone)."""
    return not message.is_hidden or can_moderate(member, room)


def check_reply_permission(member: Membership, room: Room, root: Message) -> None:
    """Answering in a thread (opening it, on the pages): its first message is in the room and
    the member may see it; not found otherwise."""
    if root.room_id != room.pk or not can_see_message(member, room, root):
        raise Http404


def can_moderate(member: Membership, room: Room) -> bool:
    """Operators hide and pin in the rooms the network runs, and so do supporters where the
    network lets them (tenancy.access.may_moderate) in the rooms they may read; nobody
    moderates a private conversation (its members pin in it)."""
    if room.kind in (RoomKind.GROUP, RoomKind.DIRECT):
        return False
    if member.is_operator:
        return True
    # A supporter never moderates a conversation with the office or a closed room they are
    # not in: can_view() keeps them out of those.
    return may_moderate(member) and room.kind in (
        RoomKind.OPEN,
        RoomKind.ANNOUNCEMENT,
        RoomKind.ALUMNI,
    )


def check_moderate_permission(member: Membership, room: Room) -> None:
    """Hiding a message; allowed in an archived room too (taking down what harms someone never
    waits)."""
    if not can_moderate(member, room):
        raise PermissionDenied


def can_invite(member: Membership, room: Room, joined: bool) -> bool:
    if room.is_archived or not member.is_active:
        return False
    if room.kind == RoomKind.GROUP:
        return joined
    return room.kind == RoomKind.CLOSED and member.is_operator


def check_invite_permission(member: Membership, room: Room, joined: bool) -> None:
    if not can_invite(member, room, joined):
        raise PermissionDenied


def filter_invitees_for(member: Membership, candidates: Iterable[Membership]) -> list[Membership]:
    """Who the member may bring into a room or a group chat: active members of their network."""
    return [m for m in candidates if m.network_id == member.network_id and m.is_active]


def can_remove_from_room(member: Membership, room: Room) -> bool:
    """Operators take members out of closed rooms; elsewhere one leaves by oneself."""
    return member.is_operator and room.kind == RoomKind.CLOSED


def check_remove_from_room_permission(member: Membership, room: Room) -> None:
    if not can_remove_from_room(member, room):
        raise PermissionDenied


def can_create_room(member: Membership) -> bool:
    return member.is_operator


def check_create_room_permission(member: Membership) -> None:
    if not can_create_room(member):
        raise PermissionDenied


def can_manage_room(member: Membership, room: Room) -> bool:
    """Renaming and archiving: operators, for the rooms the network runs (never a member's own
    conversations, nor one with the office)."""
    return member.is_operator and room.kind in MANAGED_KINDS


def check_manage_room_permission(member: Membership, room: Room) -> None:
    if not can_manage_room(member, room):
        raise PermissionDenied


def check_direct_permission(member: Membership, other: Membership) -> None:
    """A direct message goes from and to active members of the same network."""
    if not member.is_active or other.network_id != member.network_id:
        raise PermissionDenied
    if other.status != Status.ACTIVE:
        raise PermissionDenied


# An archived room is read only: nothing in it changes any more, whoever asks, except that
# operators may still hide a message (taking down what harms someone never waits).


def can_change_message(member: Membership, room: Room, message: Message, joined: bool) -> bool:
    """Edit or delete: one's own message, in a room one still reads, while it is not archived
    (an operator no more does not edit what they answered for the office)."""
    return (
        not room.is_archived
        and can_view(member, room, joined)
        and message.sender_id == member.pk
        and not message.is_deleted
        and not message.is_hidden
    )


def check_change_message_permission(
    member: Membership, room: Room, message: Message, joined: bool
) -> None:
    if not can_change_message(member, room, message, joined):
        raise PermissionDenied


def can_pin(member: Membership, room: Room, joined: bool) -> bool:
    """Operators pin in the network's rooms; the members of a conversation pin in it."""
    if room.is_archived or not member.is_active:
        return False
    return can_moderate(member, room) or (
        room.kind in (RoomKind.GROUP, RoomKind.DIRECT, RoomKind.OFFICE) and joined
    )


def check_pin_permission(member: Membership, room: Room, message: Message, joined: bool) -> None:
    """Pinning and unpinning alike."""
    if not can_pin(member, room, joined) or message.is_deleted:
        raise PermissionDenied


def can_react(member: Membership, room: Room, joined: bool) -> bool:
    """Members of the room send stamps, in announcement rooms too."""
    return joined and member.is_active and not room.is_archived


def check_react_permission(member: Membership, room: Room, message: Message, joined: bool) -> None:
    if not can_react(member, room, joined) or message.is_deleted or message.is_hidden:
        raise PermissionDenied


def filter_messages_for(
    member: Membership, room: Room, qs: QuerySet[T], prefix: str = ""
) -> QuerySet[T]:
    """What of the room's messages (or, with ``prefix="message__"``, their files and links) the
    member finds in search and in the files list: never a deleted one; a hidden one only for
    those who moderate the room."""
    qs = qs.filter(**{f"{prefix}deleted_at__isnull": True})
    if not can_moderate(member, room):
        qs = qs.filter(**{f"{prefix}is_hidden": False})
    return qs


@dataclass(frozen=True)
class CountedPlaces:
    """A member's places that count today: one that came with the operator role counts only
    while they are an operator (they are also removed when the role goes, see signals.py). One
    definition, stated for the ORM over RoomMember (``q()``) and for a statement over
    ``talk_roommember p`` (``rule()``, in ``queries``)."""

    member_id: int
    operator: bool

    def q(self) -> Q:
        q = Q(member_id=self.member_id)
        return q if self.operator else q & Q(via_role=False)

    def rule(self, alias: str = "p") -> Rule:
        mine = f"{alias}.{column(RoomMember, 'member')} = %s"
        if self.operator:
            return Rule(mine, (self.member_id,))
        counted = f"NOT {alias}.{column(RoomMember, 'via_role')}"
        return Rule(f"{mine} AND {counted}", (self.member_id,))


def counted_places(member: Membership) -> CountedPlaces:
    return CountedPlaces(member.pk, member.is_operator)


def places_of(member: Membership) -> QuerySet[RoomMember]:
    """The member's places that count today (CountedPlaces)."""
    return RoomMember.objects.filter(counted_places(member).q())


def is_joined(member: Membership, room: Room) -> bool:
    return places_of(member).filter(room=room).exists()


def visible_kinds(member: Membership) -> list[str]:
    """The kinds of the network's rooms the member may see without being in them."""
    kinds = [RoomKind.OPEN, RoomKind.ANNOUNCEMENT]
    if member.role in ALUMNI_ROLES:
        kinds.append(RoomKind.ALUMNI)
    if member.role in EMPLOYEE_ROLES:
        kinds.append(RoomKind.EMPLOYEE)
    if member.is_operator:
        kinds += [RoomKind.CLOSED, RoomKind.OFFICE]
    return [str(kind) for kind in kinds]


@dataclass(frozen=True)
class VisibleRooms:
    """The rooms of its network a member may see in the list: those of the kinds open to them
    (visible_kinds()) and those where they hold a place that counts (CountedPlaces). One
    definition, stated for the ORM (``q()``) and for a statement over ``talk_room r``
    (``rule()``, in ``queries``)."""

    network_id: int
    kinds: tuple[str, ...]
    places: CountedPlaces

    def q(self) -> Q:
        joined = RoomMember.objects.filter(self.places.q(), room=OuterRef("pk"))
        return Q(network_id=self.network_id) & (Q(kind__in=self.kinds) | Q(Exists(joined)))

    def rule(self) -> Rule:
        places = self.places.rule("j")
        joined = (
            f"EXISTS(SELECT 1 FROM {RoomMember._meta.db_table} j"  # noqa: S608 - names, rules
            f" WHERE j.{column(RoomMember, 'room')} = r.id AND {places.sql})"
        )
        network = f"r.{column(Room, 'network')} = %s"
        if not self.kinds:
            return Rule(f"{network} AND {joined}", (self.network_id, *places.params))
        kinds = f"r.{column(Room, 'kind')} IN ({placeholders(self.kinds)})"
        return Rule(
            f"{network} AND ({kinds} OR {joined})",
            (self.network_id, *self.kinds, *places.params),
        )

    def listed(self) -> VisibleRooms:
        """The rooms of the member's list: among those not theirs, only the network's own
        (MANAGED_KINDS), not every conversation with the office an operator may open."""
        return replace(self, kinds=tuple(kind for kind in self.kinds if kind in MANAGED_KINDS))


def visible_rooms(member: Membership) -> VisibleRooms:
    return VisibleRooms(member.network_id, tuple(visible_kinds(member)), counted_places(member))


def filter_rooms_for(member: Membership) -> QuerySet[Room]:
    """Rooms the member may see in the list: the network's rooms open to them and their own."""
    return Room.objects.filter(visible_rooms(member).q())


def list_rooms_for(member: Membership) -> tuple[list[queries.ReaderRoom], list[Room]]:
    """The member's rooms (not archived; newest message first), with their place and what
    their titles need (title_of()), and the rooms they may join (by name), in one hand-written
    statement (queries.listed_rooms()) with the rules of filter_rooms_for()
    (visible_rooms().listed())."""
    visible = visible_rooms(member)
    mine: list[queries.ReaderRoom] = []
    joinable: list[Room] = []
    for row in queries.listed_rooms(member, visible.places.rule(), visible.listed().rule()):
        if row.place is None:
            joinable.append(row.room)
        else:
            mine.append(row)
    return mine, joinable


def access_reader_room(member: Membership, room_id: object) -> queries.ReaderRoom:
    """The room, the member's place in it and what its title needs (queries.ReaderRoom); 404
    for missing, other network's and not-yours.

    Every talk page starts here, so it is one hand-written statement (the ORM's two queries cost
    several times the database's work).
    """
    found = queries.reader_room(member, object_id(room_id), counted_places(member).rule())
    if found is None:
        raise Http404
    check_view_permission(member, found.room, found.place is not None)
    return found


def access_room(member: Membership, room_id: object) -> tuple[Room, RoomMember | None]:
    """The room and the member's place in it; 404 for missing, other network's and not-yours."""
    found = access_reader_room(member, room_id)
    return found.room, found.place


def title_of(member: Membership, reader: queries.ReaderRoom) -> str:
    """A room's title; one without a name is the other person of a direct message, or the
    office. ``reader`` comes from access_reader_room() or list_rooms_for()."""
    room = reader.room
    if room.name:
        return room.name
    if room.kind == RoomKind.DIRECT and reader.other_name is not None:
        return reader.other_name
    if room.kind == RoomKind.OFFICE:
        owner = reader.owner_name
        if owner is not None and room.created_by_id != member.pk:
            return _("%(name)s ⇄ office") % {"name": owner}
        return _("Message to the office")
    return _("Conversation")


def access_message(member: Membership, room: Room, message_id: object) -> Message:
    try:
        message = Message.objects.select_related("sender__user", "sender__profile").get(
            pk=int(str(message_id)), room=room, network_id=member.network_id
        )
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_see_message(member, room, message):
        raise Http404
    return message


def access_attachment(member: Membership, attachment_id: object) -> Attachment:
    attachment = access_in_network(
        member, Attachment.objects.select_related("room", "message"), attachment_id
    )
    room, _place = access_room(member, attachment.room_id)
    message = attachment.message
    if message.is_deleted or not can_see_message(member, room, message):
        raise Http404
    return attachment
