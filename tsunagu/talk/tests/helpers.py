"""Small factories for the talk rooms' tests. They work outside any network scope."""

from __future__ import annotations

import itertools
from typing import Any

from django_scopes import scope, scopes_disabled

from tsunagu.talk.actions import do_create_room, do_send_message
from tsunagu.talk.models import Message, Room, RoomKind, RoomMember
from tsunagu.tenancy.models import Membership, Network

_ids = itertools.count(1)


def default_room(network: Network) -> Room:
    with scopes_disabled():
        return Room.objects.get(network=network, is_default=True)


def make_room(
    operator: Membership, *, name: str = "朝活ルーム", kind: str = RoomKind.OPEN, **extra: Any
) -> Room:
    with scope(network=operator.network):
        return do_create_room(operator, kind=kind, name=name, **extra)


def post(member: Membership, room: Room, body: str, **extra: Any) -> Message:
    with scope(network=member.network):
        message, _created = do_send_message(
            member, room, body=body, client_id=f"t-{next(_ids)}", **extra
        )
    return message


def fill_room(
    room: Room, members: list[Membership], count: int, text: str = "おはようございます"
) -> None:
    """Adds ``count`` messages quickly (bulk), numbered like real ones."""
    with scopes_disabled():
        start = Room.objects.get(pk=room.pk).last_seq
        Message.objects.bulk_create(
            (
                Message(
                    network_id=room.network_id,
                    room=room,
                    seq=start + i,
                    sender=members[i % len(members)],
                    client_id=f"bulk-{room.pk}-{start + i}",
                    body=f"{text} {start + i}",
                    body_html=f"<p>{text} {start + i}</p>",
                )
                for i in range(1, count + 1)
            ),
            batch_size=2000,
        )
        Room.objects.filter(pk=room.pk).update(last_seq=start + count)
        for member in members:
            RoomMember.objects.get_or_create(network_id=room.network_id, room=room, member=member)
