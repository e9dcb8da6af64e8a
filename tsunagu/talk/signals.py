"""Every new network starts with a casual room (雑談), so members have somewhere to say hello;
a member who leaves or returns moves on the rooms that name them. (Every change to a posted
message, its stamps or files moves its room's revision on: declared in apps.py.)"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.core.revisions import bump_where
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .models import Message, Reaction, Room


@receiver(post_save, sender=Network)
def create_default_room(sender: type[Network], instance: Network, created: bool, **_: Any) -> None:
    if not created:
        return
    from .actions import ensure_default_room

    with scopes_disabled():
        ensure_default_room(instance)


@receiver(post_save, sender=Membership)
def follow_the_role(sender: type[Membership], instance: Membership, **_: Any) -> None:
    """Active members are in the casual room from the start, so its unread count reaches them;
    operators are in every conversation with the office, including those opened before them.
    Places that came with the operator role end with it, in the same transaction as the change
    of role or status, and the member's open sockets stop following those rooms."""
    from .models import Room, RoomKind, RoomMember
    from .unread import forget_member

    with scopes_disabled():
        if not (instance.status == Status.ACTIVE and instance.role == Role.OPERATOR):
            _end_role_places(instance)
        if instance.status != Status.ACTIVE:
            return
        rooms = Room.objects.filter(network_id=instance.network_id, is_default=True)
        if instance.role == Role.OPERATOR:
            # Operators answer for the office: they are in every conversation with it.
            rooms = Room.objects.filter(
                Q(is_default=True) | Q(kind=RoomKind.OFFICE), network_id=instance.network_id
            )
        joined = set(
            RoomMember.objects.filter(member=instance, room__in=rooms).values_list(
                "room_id", flat=True
            )
        )
        missing = [room for room in rooms if room.pk not in joined]
        RoomMember.objects.bulk_create(
            [
                RoomMember(
                    network_id=instance.network_id,
                    room=room,
                    member=instance,
                    last_read_seq=room.last_seq,
                    via_role=room.kind == RoomKind.OFFICE and room.created_by_id != instance.pk,
                )
                for room in missing
            ],
            ignore_conflicts=True,
        )
    if missing:
        forget_member(instance.pk)


def _end_role_places(member: Membership) -> None:
    from tsunagu.realtime.events import send_event

    from .models import RoomMember
    from .unread import forget_member

    places = RoomMember.objects.filter(member=member, via_role=True)
    room_ids = list(places.values_list("room_id", flat=True))
    if not room_ids:
        return
    places.delete()
    forget_member(member.pk)
    network = member.network
    for room_id in room_ids:
        # As talk.actions._membership_changed: the sockets unsubscribe from the room at once.
        send_event(
            network, {"type": "talk.membership", "room": room_id, "joined": False}, [member.user_id]
        )


@receiver(post_save, sender=Membership)
def _sender_left_or_returned(
    sender: type, instance: Membership, created: bool, **kwargs: Any
) -> None:
    """A member who leaves is shown as a former member in every room they wrote or stamped in
    (tenancy/names.py), and by name again when they return: those rooms' pages move on."""
    from tsunagu.tenancy.names import naming_changed

    if kwargs.get("raw") or not naming_changed(created, kwargs.get("update_fields")):
        return
    bump_where(
        Room,
        Q(pk__in=Message._base_manager.filter(sender=instance).values("room_id"))
        | Q(pk__in=Reaction._base_manager.filter(member=instance).values("message__room_id")),
        network_id=instance.network_id,
    )
