"""Every new network starts with a casual room (雑談), so members have somewhere to say hello;
every change to a posted message, its stamps or files moves its room's revision on."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership, Network, Role, Status

from .models import Attachment, Message, Reaction, Room


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


def bump_revision(room_id: int | None) -> None:
    """Moves the room's revision on, so its cached pages of messages (render.py) are not served
    after this change. In the change's transaction: no reader sees one without the other."""
    if room_id is None:
        return
    with scopes_disabled():  # also from tasks and commands, outside a network's scope
        Room.objects.filter(pk=room_id).update(revision=F("revision") + 1)


@receiver(post_save, sender=Message)
def _message_saved(sender: type, instance: Message, created: bool, **kwargs: Any) -> None:
    if not created:  # a new message moves the room's last_seq instead, in the same transaction
        bump_revision(instance.room_id)


@receiver(post_delete, sender=Message)
@receiver([post_save, post_delete], sender=Attachment)
def _part_changed(sender: type, instance: Message | Attachment, **kwargs: Any) -> None:
    bump_revision(instance.room_id)


@receiver([post_save, post_delete], sender=Reaction)
def _reaction_changed(sender: type, instance: Reaction, **kwargs: Any) -> None:
    with scopes_disabled():
        rooms = Message.objects.filter(pk=instance.message_id).values("room_id")
        Room.objects.filter(pk__in=rooms).update(revision=F("revision") + 1)
