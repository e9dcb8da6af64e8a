"""The talk rooms' tasks: they take ids, and re-enter the network's scope."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scope

from tsunagu.tenancy.models import Membership, Network, Status

from .actions import room_readers, send_unread_totals


def _network(network_id: int) -> Network | None:
    return Network.objects.filter(pk=network_id, is_active=True).first()


@shared_task(acks_late=True)
def push_room_totals(network_id: int, room_id: int, sender_id: int | None) -> None:
    """A message was posted in the room: everyone else in it learns their new talk total."""
    network = _network(network_id)
    if network is None:
        return
    with scope(network=network):
        send_unread_totals(network, room_readers(room_id, sender_id))


@shared_task(acks_late=True)
def push_member_total(network_id: int, member_id: int) -> None:
    """The member read a room: their other pages learn their new talk total."""
    network = _network(network_id)
    if network is None:
        return
    with scope(network=network):
        members = Membership.objects.filter(pk=member_id, status=Status.ACTIVE)
        send_unread_totals(network, members)
