"""A shared room shows the other side's members by name: each showing, on the page or in a live
frame, is a disclosure record of the person's network, with their joining of the room as the
consent it relied on."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

from ..models import Disclosure, SharedRoom, SharedRoomMember
from .helpers import join, link_networks, open_room, say

pytestmark = pytest.mark.django_db


def room_url(member: Membership, room: SharedRoom) -> str:
    return f"/n/{member.network.slug}/links/rooms/{room.pk}/"


def records() -> list[tuple[int, int, list[str], int | None, int | None]]:
    with scopes_disabled():
        return sorted(
            Disclosure.objects.values_list(
                "membership_id", "viewer_network_id", "fields", "consent_id", "room_member_id"
            )
        )


def joining(member: Membership, room: SharedRoom) -> int:
    with scopes_disabled():
        return SharedRoomMember.objects.get(room=room, membership=member, left_at=None).pk


@pytest.fixture
def room(world: World) -> SharedRoom:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_a, link)  # operator A joins it by opening it
    join(world.alumni_a, room)
    say(world.alumni_a, room, "三ツ葉から失礼します")  # nobody of B has joined: no frame to B
    return room


def test_opening_the_room_records_the_other_sides_names_shown_and_nothing_of_ones_own(
    world: World, room: SharedRoom
) -> None:
    assert records() == []
    # A's own members read A's names: nothing is disclosed.
    assert world.client(world.alumni_a).get(room_url(world.alumni_a, room)).status_code == 200
    assert records() == []

    join(world.alumni_b, room)
    assert world.client(world.alumni_b).get(room_url(world.alumni_b, room)).status_code == 200
    b = world.net_b.pk
    assert records() == sorted(
        [
            (world.operator_a.pk, b, ["name"], None, joining(world.operator_a, room)),
            (world.alumni_a.pk, b, ["name"], None, joining(world.alumni_a, room)),
        ]
    )
    # A second view the same day is counted in the same records.
    world.client(world.alumni_b).get(room_url(world.alumni_b, room))
    with scopes_disabled():
        assert list(Disclosure.objects.values_list("views", flat=True)) == [2, 2]
    # B's member was shown to A only when A's members open the room.
    world.client(world.alumni_a).get(room_url(world.alumni_a, room))
    with scopes_disabled():
        shown_to_a = Disclosure.objects.filter(viewer_network=world.net_a)
        assert list(shown_to_a.values_list("membership_id", "network_id")) == [
            (world.alumni_b.pk, world.net_b.pk)
        ]


def test_a_live_message_records_the_writer_shown_to_the_other_sides_joined_members(
    world: World, room: SharedRoom
) -> None:
    join(world.alumni_b, room)
    say(world.alumni_b, room, "ひだまりです")  # its frame reaches A's joined members
    assert records() == [
        (world.alumni_b.pk, world.net_a.pk, ["name"], None, joining(world.alumni_b, room))
    ]


def test_a_member_of_both_networks_is_never_a_disclosure_to_their_own_network(
    world: World, room: SharedRoom
) -> None:
    both = make_member(world.net_b, world.alumni_a.user)
    join(both, room)
    say(both, room, "両方の会員です")
    assert world.client(both).get(room_url(both, room)).status_code == 200
    # B's page shows operator A, who is of A only: that alone is recorded.
    assert records() == [
        (world.operator_a.pk, world.net_b.pk, ["name"], None, joining(world.operator_a, room))
    ]


def test_the_person_and_the_operators_see_the_consent_was_joining_the_room(
    world: World, room: SharedRoom
) -> None:
    join(world.alumni_b, room)
    world.client(world.alumni_b).get(room_url(world.alumni_b, room))
    join(world.alumni_b, room)
    # Leaving keeps the joining the record refers to.
    left = world.client(world.alumni_a).post(room_url(world.alumni_a, room) + "leave/")
    assert left.status_code == 302

    with translation.override("ja"):
        room_label, opt_in_label = (
            _("Joined a shared room"),
            _("Consent to be shown to linked networks"),
        )
    seen = world.client(world.alumni_a).get("/n/mitsuba-a/links/seen/").content.decode()
    assert room_label in seen and world.net_b.name in seen and opt_in_label not in seen
    export = world.client(world.operator_a).get("/n/mitsuba-a/links/disclosures.csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    alumni_line = next(line for line in lines if world.alumni_a.user.name in line)
    assert room_label in alumni_line
    assert f"room-member #{joining_any(world.alumni_a, room)}" in alumni_line


def joining_any(member: Membership, room: SharedRoom) -> int:
    with scopes_disabled():
        return SharedRoomMember.objects.get(room=room, membership=member).pk


def test_the_room_page_records_a_whole_page_in_a_flat_number_of_statements(
    world: World, room: SharedRoom, django_assert_max_num_queries: Any
) -> None:
    join(world.alumni_b, room)
    client = world.client(world.alumni_b)
    client.get(room_url(world.alumni_b, room))  # the caches of the layout, warm

    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(room_url(world.alumni_b, room)).status_code == 200
        return len(captured)

    few = statements()
    for n in range(10):
        writer = make_member(world.net_a, make_user(name=f"書き手 {n}"))
        join(writer, room)
        say(writer, room, f"メッセージ {n}")
    client.get(room_url(world.alumni_b, room))  # the new names' first records
    assert statements() == few
    with django_assert_max_num_queries(24):
        assert client.get(room_url(world.alumni_b, room)).status_code == 200
    with scopes_disabled():
        assert Disclosure.objects.filter(viewer_network=world.net_b).count() == 12
