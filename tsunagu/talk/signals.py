"""Every new network starts with a casual room (雑談), so members have somewhere to say hello."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership, Network, Status


@receiver(post_save, sender=Network)
def create_default_room(sender: type[Network], instance: Network, created: bool, **_: Any) -> None:
    if not created:
        return
    from .actions import ensure_default_room

    with scopes_disabled():
        ensure_default_room(instance)


@receiver(post_save, sender=Membership)
def join_default_room(sender: type[Membership], instance: Membership, **_: Any) -> None:
    """Active members are in the casual room from the start, so its unread count reaches them."""
    if instance.status != Status.ACTIVE:
        return
    from .models import Room, RoomMember
    from .unread import forget_member

    with scopes_disabled():
        room = Room.objects.filter(network_id=instance.network_id, is_default=True).first()
        if room is None:
            return
        _place, created = RoomMember.objects.get_or_create(
            network_id=instance.network_id,
            room=room,
            member=instance,
            defaults={"last_read_seq": room.last_seq},
        )
    if created:
        forget_member(instance.pk)
