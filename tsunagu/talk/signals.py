"""Every new network starts with a casual room (雑談), so members have somewhere to say hello."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership, Network, Role, Status


@receiver(post_save, sender=Network)
def create_default_room(sender: type[Network], instance: Network, created: bool, **_: Any) -> None:
    if not created:
        return
    from .actions import ensure_default_room

    with scopes_disabled():
        ensure_default_room(instance)


@receiver(post_save, sender=Membership)
def join_default_room(sender: type[Membership], instance: Membership, **_: Any) -> None:
    """Active members are in the casual room from the start, so its unread count reaches them;
    operators are in every conversation with the office, including those opened before them."""
    if instance.status != Status.ACTIVE:
        return
    from .models import Room, RoomKind, RoomMember
    from .unread import forget_member

    with scopes_disabled():
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
                )
                for room in missing
            ],
            ignore_conflicts=True,
        )
    if missing:
        forget_member(instance.pk)
