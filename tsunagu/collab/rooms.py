"""What a shared room shows to each side: its messages and members, each named as the reader's
own network names them.

A writer of the reader's own network is named as that network names them (「退会したメンバー」
after they left); a person who is a member of both networks is shown as themselves, once; a
member of the other side, who joined the room and so chose to be seen there, by their name and
their network's, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership, Status
from tsunagu.tenancy.names import shown_member, shown_name

from .disclosures import Shown as Disclosed
from .disclosures import record_disclosures
from .models import SharedMessage, SharedRoom, SharedRoomMember

MESSAGES_SHOWN = 100


@dataclass(frozen=True)
class Shown:
    name: str
    # The other side's name for a member of the other side only (else empty).
    network: str


@dataclass(frozen=True)
class ShownMessage:
    id: int
    sender: Shown
    body: str
    created_at: datetime


def names_for(network_id: int, memberships: Iterable[Membership | None]) -> dict[int, Shown]:
    """Each membership (loaded with its user and network) as network ``network_id`` shows it,
    by membership id; one query for the persons who are members here too."""
    members = [m for m in memberships if m is not None]
    elsewhere = {m.user_id for m in members if m.network_id != network_id}
    here: dict[int, Membership] = {}
    if elsewhere:
        with scopes_disabled():
            here = {
                m.user_id: m
                for m in Membership.objects.filter(
                    network_id=network_id, user_id__in=elsewhere, status=Status.ACTIVE
                ).select_related("user")
            }
    shown = {}
    for m in members:
        if m.network_id == network_id:
            shown[m.pk] = Shown(shown_name(m), "")
        elif m.user_id in here:
            shown[m.pk] = Shown(shown_name(here[m.user_id]), "")
        else:
            shown[m.pk] = Shown(shown_name(m), m.network.name)
    return shown


def record_names_shown(
    network_id: int, room: SharedRoom, memberships: Iterable[Membership | None]
) -> None:
    """Records, as disclosures to ``network_id``, the names of the other side's members that a
    page or a frame of the room showed there (a person who is a member here too is shown as
    themselves, and a former member by no name: neither is recorded). The consent is their
    latest joining of the room. A fixed number of statements, whatever the number of names."""
    members = [m for m in memberships if m is not None]
    names = names_for(network_id, members)
    across = {m.pk: m for m in members if names[m.pk].network and shown_member(m) is not None}
    if not across:
        return
    with scopes_disabled():
        joinings = {
            row.membership_id: row
            for row in SharedRoomMember.objects.filter(
                room_id=room.pk, membership_id__in=list(across)
            ).order_by("joined_at", "id")
        }
    record_disclosures(
        network_id,
        [
            Disclosed(m.network_id, m.pk, None, room.link, ("name",), room_member=joinings[m.pk])
            for m in across.values()
            if m.pk in joinings
        ],
    )


def _former() -> Shown:
    return Shown(shown_name(None), "")


def room_page(network_id: int, room: SharedRoom) -> tuple[list[ShownMessage], list[Shown]]:
    """The room's messages and members for a reader of ``network_id``; the other side's names
    shown are recorded as disclosures to ``network_id``, for the whole page at once."""
    with scopes_disabled():
        message_rows = list(
            SharedMessage.objects.filter(room_id=room.pk)
            .select_related("sender__user", "sender__network")
            .order_by("-id")[:MESSAGES_SHOWN]
        )
        member_rows = list(
            SharedRoomMember.objects.filter(
                room_id=room.pk, left_at__isnull=True, membership__status=Status.ACTIVE
            )
            .select_related("membership__user", "membership__network")
            .order_by("joined_at", "id")
        )
    message_rows.reverse()
    shown = [row.sender for row in message_rows] + [row.membership for row in member_rows]
    record_names_shown(network_id, room, shown)
    return _messages(network_id, message_rows), _members(network_id, member_rows)


def _messages(network_id: int, rows: list[SharedMessage]) -> list[ShownMessage]:
    names = names_for(network_id, (row.sender for row in rows))
    return [
        ShownMessage(
            row.pk,
            names[row.sender_id] if row.sender_id in names else _former(),
            row.body,
            row.created_at,
        )
        for row in rows
    ]


def _members(network_id: int, rows: list[SharedRoomMember]) -> list[Shown]:
    """Who joined the room, each person once (as themselves where they are a member here)."""
    names = names_for(network_id, (row.membership for row in rows))
    seen: set[int] = set()
    people = []
    # A person who joined from both sides: the place of the reader's side names them.
    rows.sort(key=lambda row: row.membership.network_id != network_id)
    for row in rows:
        if row.membership.user_id in seen:
            continue
        seen.add(row.membership.user_id)
        people.append(names[row.membership_id])
    return people


def joined_user_ids(room: SharedRoom, network_id: int) -> list[int]:
    """The users of ``network_id`` who joined the room and are active members there."""
    with scopes_disabled():
        return list(
            SharedRoomMember.objects.filter(
                room_id=room.pk,
                network_id=network_id,
                left_at__isnull=True,
                membership__status=Status.ACTIVE,
            ).values_list("membership__user_id", flat=True)
        )


def message_frame(network_id: int, message: SharedMessage) -> dict[str, object]:
    """The live frame of a new message for the sockets of one side."""
    sender = names_for(network_id, [message.sender])[message.sender_id]  # type: ignore[index]
    return {
        "type": "shared.message",
        "room": message.room_id,
        "id": message.pk,
        "name": sender.name,
        "network": sender.network,
        "body": message.body,
        "at": message.created_at.isoformat(),
    }
