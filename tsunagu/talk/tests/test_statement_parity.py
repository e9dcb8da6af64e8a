"""The talk rooms' hand-written statements (queries.py) against their ORM twins: for every role of
the two-network world, and for members whose role or status changed, the same rooms with the same
places and names, not one more or fewer."""

from __future__ import annotations

import pytest
from django.db.models import F
from django_scopes import ScopeError, scope, scopes_disabled

from tsunagu.talk import queries
from tsunagu.talk.access import (
    counted_places,
    filter_rooms_for,
    list_rooms_for,
    places_of,
    title_of,
    visible_rooms,
)
from tsunagu.talk.actions import do_archive_room, do_create_group, do_open_direct, do_open_office
from tsunagu.talk.models import Room, RoomKind, RoomMember
from tsunagu.talk.tests.helpers import make_room
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

ROLES = (
    "operator_a", "supporter_a", "employee_a", "alumni_a", "operator_b", "supporter_b", "alumni_b",
)  # fmt: skip


def rooms_of_every_kind(world: World) -> list[Room]:
    """Every kind of room in network A (one archived), a few in network B, and a place the
    alumna of A holds "via the role" although she is no operator (it must not count)."""
    for kind in (RoomKind.OPEN, RoomKind.CLOSED, RoomKind.ANNOUNCEMENT):
        make_room(world.operator_a, name=f"{kind}の部屋", kind=kind)
    make_room(world.operator_a, name="OB・OG限定", kind=RoomKind.ALUMNI)
    make_room(world.operator_a, name="社員限定", kind=RoomKind.EMPLOYEE)
    archived = make_room(world.operator_a, name="過去の部屋")
    via_role = make_room(world.operator_a, name="運営だけの部屋", kind=RoomKind.CLOSED)
    make_room(world.operator_b, name="他のネットワーク")
    make_room(world.operator_b, name="他の運営", kind=RoomKind.CLOSED)
    with scope(network=world.net_a):
        do_archive_room(world.operator_a, archived, True)
        do_open_direct(world.alumni_a, world.employee_a)
        do_open_office(world.supporter_a)
        do_open_office(world.alumni_a)
        do_create_group(world.employee_a, name="同期会", invitees=[world.supporter_a])
    with scope(network=world.net_b):
        do_open_direct(world.alumni_b, world.supporter_b)
    with scopes_disabled():
        RoomMember.objects.create(
            network=world.net_a, room=via_role, member=world.alumni_a, via_role=True
        )
        RoomMember.objects.filter(member=world.employee_a).update(last_read_seq=2)
        return list(Room.objects.order_by("pk"))


def orm_names(member: Membership, room: Room) -> tuple[str | None, str | None]:
    """Who opened a conversation with the office; the other person of a direct message."""
    owner = None
    if room.kind == RoomKind.OFFICE and room.created_by_id is not None:
        owner = Membership.objects.get(pk=room.created_by_id).user.name
    other = None
    if room.kind == RoomKind.DIRECT and room.name == "":
        others = RoomMember.objects.filter(room=room).exclude(member=member).order_by("id")
        other = others.values_list("member__user__name", flat=True).first()
    return owner, other


def assert_reader_rooms(member: Membership, rooms: list[Room]) -> None:
    places = counted_places(member).rule()
    for room in rooms:
        row = queries.reader_room(member, room.pk, places)
        if room.network_id != member.network_id:
            assert row is None
            continue
        assert row is not None and row.room == room and row.room.name == room.name
        assert row.room.is_archived is room.is_archived  # a bool on SQLite too
        assert row.room.created_at == room.created_at  # aware on SQLite too
        place = places_of(member).filter(room=room).first()
        assert row.place == place
        if place is not None:
            assert row.place is not None and row.place.last_read_seq == place.last_read_seq
            assert row.place.room is row.room
        assert (row.owner_name, row.other_name) == orm_names(member, room)


def orm_list(member: Membership) -> tuple[list[int], list[int]]:
    """The member's rooms (newest message first) and those they may join (by name)."""
    listed = Room.objects.filter(visible_rooms(member).listed().q(), is_archived=False)
    joined = set(places_of(member).values_list("room_id", flat=True))
    mine = listed.filter(pk__in=joined).order_by(F("last_message_at").desc(), "id")
    joinable = listed.exclude(pk__in=joined).order_by("name", "id")
    return list(mine.values_list("pk", flat=True)), list(joinable.values_list("pk", flat=True))


def assert_parity(member: Membership, rooms: list[Room]) -> None:
    with scope(network=member.network):
        assert_reader_rooms(member, rooms)
        mine, joinable = list_rooms_for(member)
        assert ([row.room.pk for row in mine], [room.pk for room in joinable]) == orm_list(member)
        for row in mine:
            assert row.place == places_of(member).filter(room=row.room).get()
            assert (row.owner_name, row.other_name) == orm_names(member, row.room)
        # The list's rule is filter_rooms_for()'s, narrowed to the rooms the network runs.
        listed = {row.room.pk for row in mine} | {room.pk for room in joinable}
        assert listed <= set(filter_rooms_for(member).values_list("pk", flat=True))


def test_every_role_reads_the_same_rooms_by_statement_as_by_the_orm(world: World) -> None:
    rooms = rooms_of_every_kind(world)
    for name in ROLES:
        assert_parity(getattr(world, name), rooms)
    # What some roles see, so that parity is not two empty lists.
    with scope(network=world.net_a):
        alumni = {Room.objects.get(pk=pk).name for ids in orm_list(world.alumni_a) for pk in ids}
        assert "OB・OG限定" in alumni and "社員限定" not in alumni
        assert "運営だけの部屋" not in alumni and "過去の部屋" not in alumni
        mine, _joinable = list_rooms_for(world.employee_a)
        titles = {title_of(world.employee_a, row) for row in mine}
        assert world.alumni_a.user.name in titles and "同期会" in titles


def test_after_a_change_of_role_or_status_both_agree_at_once(world: World) -> None:
    rooms = rooms_of_every_kind(world)
    member = world.operator_a
    for role, status in (
        (Role.EMPLOYEE, Status.ACTIVE),
        (Role.OPERATOR, Status.SUSPENDED),
        (Role.ALUMNI, Status.ACTIVE),
        (Role.OPERATOR, Status.ACTIVE),
    ):
        with scopes_disabled():
            Membership.objects.filter(pk=member.pk).update(role=role, status=status)
            member.refresh_from_db()
        assert_parity(member, rooms)
    with scopes_disabled():
        Membership.objects.filter(pk=world.alumni_a.pk).update(role=Role.OPERATOR)
        world.alumni_a.refresh_from_db()
    assert_parity(world.alumni_a, rooms)  # now the place via the role counts


def test_the_statements_fail_closed_outside_their_network(world: World) -> None:
    room = rooms_of_every_kind(world)[0]
    member = world.alumni_a
    visible = visible_rooms(member)
    statements = (
        lambda: queries.reader_room(member, room.pk, visible.places.rule()),
        lambda: queries.listed_rooms(member, visible.places.rule(), visible.listed().rule()),
    )
    for statement in statements:
        for network in (world.net_b, None):  # another network's scope, and no network's
            with scope(network=network), pytest.raises(ScopeError):
                statement()
        with scope(network=world.net_a):
            assert statement()
