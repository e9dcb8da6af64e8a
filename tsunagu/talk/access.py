"""Who may see, join and post in which room. check_* raise, filter_* narrow, access_* fetch."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.models import Membership, Role

from .models import Attachment, Message, Room, RoomKind, RoomMember

ALUMNI_ROLES = (Role.ALUMNI, Role.SUPPORTER, Role.OPERATOR)
EMPLOYEE_ROLES = (Role.EMPLOYEE, Role.OPERATOR)


def _role_allows(member: Membership, room: Room) -> bool:
    if room.kind == RoomKind.ALUMNI:
        return member.role in ALUMNI_ROLES
    if room.kind == RoomKind.EMPLOYEE:
        return member.role in EMPLOYEE_ROLES
    return True


def can_view(member: Membership, room: Room, joined: bool) -> bool:
    """Whether the member may read the room. ``joined``: they hold a RoomMember row."""
    if room.network_id != member.network_id or not member.is_active:
        return False
    if room.kind in (RoomKind.OPEN, RoomKind.ANNOUNCEMENT):
        return True
    if room.kind in (RoomKind.ALUMNI, RoomKind.EMPLOYEE):
        return _role_allows(member, room)
    if room.kind in (RoomKind.CLOSED, RoomKind.OFFICE):
        # Operators run closed rooms and answer for the office.
        return joined or member.is_operator
    return joined  # group chats and direct messages


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


def can_post(member: Membership, room: Room, joined: bool) -> bool:
    if room.is_archived or not can_view(member, room, joined):
        return False
    if room.kind == RoomKind.ANNOUNCEMENT:
        return member.is_operator
    return joined or can_join(member, room)


def can_moderate(member: Membership, room: Room) -> bool:
    """Operators hide and pin in the network's rooms; in a private conversation, its members pin."""
    return member.is_operator and room.kind not in (RoomKind.GROUP, RoomKind.DIRECT)


def can_invite(member: Membership, room: Room, joined: bool) -> bool:
    if room.is_archived:
        return False
    if room.kind == RoomKind.GROUP:
        return joined
    return room.kind == RoomKind.CLOSED and member.is_operator


def check_post_permission(member: Membership, room: Room, joined: bool) -> None:
    if not can_post(member, room, joined):
        raise PermissionDenied


def is_joined(member: Membership, room: Room) -> bool:
    return RoomMember.objects.filter(room=room, member=member).exists()


def filter_rooms_for(member: Membership) -> QuerySet[Room]:
    """Rooms the member may see in the list: the network's rooms open to them and their own."""
    joined = RoomMember.objects.filter(room=OuterRef("pk"), member=member)
    visible = Q(kind__in=[RoomKind.OPEN, RoomKind.ANNOUNCEMENT]) | Q(Exists(joined))
    if member.role in ALUMNI_ROLES:
        visible |= Q(kind=RoomKind.ALUMNI)
    if member.role in EMPLOYEE_ROLES:
        visible |= Q(kind=RoomKind.EMPLOYEE)
    if member.is_operator:
        visible |= Q(kind__in=[RoomKind.CLOSED, RoomKind.OFFICE])
    return Room.objects.filter(visible, network_id=member.network_id)


def access_room(member: Membership, room_id: object) -> tuple[Room, RoomMember | None]:
    """The room and the member's place in it; 404 for missing, other network's and not-yours."""
    room = access_in_network(member, Room.objects.all(), room_id)
    place = RoomMember.objects.filter(room=room, member=member).first()
    if not can_view(member, room, place is not None):
        raise Http404
    return room, place


def access_message(member: Membership, room: Room, message_id: object) -> Message:
    try:
        message = Message.objects.select_related("sender__user").get(
            pk=int(str(message_id)), room=room, network_id=member.network_id
        )
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if message.is_hidden and not can_moderate(member, room):
        raise Http404
    return message


def access_attachment(member: Membership, attachment_id: object) -> Attachment:
    attachment = access_in_network(
        member, Attachment.objects.select_related("room", "message"), attachment_id
    )
    room, _place = access_room(member, attachment.room_id)
    message = attachment.message
    if message.is_deleted or (message.is_hidden and not can_moderate(member, room)):
        raise Http404
    return attachment
