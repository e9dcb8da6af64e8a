"""Rooms shared over a link: opened by an operator of either side, joined by members' choice,
where each side sees the other's members by name and network only."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditEntry
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

from ..models import SharedMessage, SharedRoom, SharedRoomMember
from .helpers import join, link_networks, open_room, request_link, say, share_across

pytestmark = pytest.mark.django_db


def rooms_url(member: Membership, room: SharedRoom | None = None, tail: str = "") -> str:
    base = f"/n/{member.network.slug}/links/rooms/"
    return f"{base}{room.pk}/{tail}" if room is not None else base + tail


def page(world: World, member: Membership, room: SharedRoom | None = None, tail: str = "") -> str:
    response = world.client(member).get(rooms_url(member, room, tail))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_an_operator_opens_a_room_only_on_an_active_link_that_shares_rooms(world: World) -> None:
    only_people = link_networks(world.operator_a, world.operator_b, ("directory",))
    pending = request_link(world.operator_a, "no-such-network", ("rooms",))
    operator = world.client(world.operator_a)
    url = rooms_url(world.operator_a, tail="new/")
    assert operator.post(url, {"link": only_people.pk, "name": "合同勉強会"}).status_code == 409
    assert operator.post(url, {"link": pending.pk, "name": "未承認"}).status_code == 409
    alumni = world.client(world.alumni_a).post(url, {"link": only_people.pk, "name": "勉強会"})
    assert alumni.status_code == 403
    with scopes_disabled():
        assert not SharedRoom.objects.exists()

    third = make_member(make_network(name="つる会"), make_user(name="鶴田 運営"), role="operator")
    rooms_link = link_networks(world.operator_a, third, ("rooms",))
    created = operator.post(url, {"link": rooms_link.pk, "name": "合同勉強会"})
    assert created.status_code == 302
    with scopes_disabled():
        room = SharedRoom.objects.get(link=rooms_link)
        assert list(SharedRoomMember.objects.values_list("membership_id", flat=True)) == [
            world.operator_a.pk
        ]
    assert created["Location"].endswith(f"/links/rooms/{room.pk}/")


def test_members_join_by_choice_and_see_the_other_side_by_name_and_network(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    created = world.client(world.operator_a).post(
        rooms_url(world.operator_a, tail="new/"), {"link": link.pk, "name": "合同勉強会"}
    )
    assert created.status_code == 302
    with scopes_disabled():
        room = SharedRoom.objects.get(link=link)
    share_across(world.alumni_b, "current_work", audience="all", current_employer="ひかり製作所")

    listing = page(world, world.alumni_b)
    assert "合同勉強会" in listing and "join/" in listing
    stranger = world.client(world.alumni_b)
    assert stranger.get(rooms_url(world.alumni_b, room)).status_code == 404
    assert (
        stranger.post(rooms_url(world.alumni_b, room, "send/"), {"body": "こんにちは"}).status_code
        == 404
    )

    assert stranger.post(rooms_url(world.alumni_b, room, "join/")).status_code == 302
    join(world.alumni_a, room)
    say(world.alumni_a, room, "三ツ葉から失礼します")
    sent = stranger.post(rooms_url(world.alumni_b, room, "send/"), {"body": "ひだまりです"})
    assert sent.status_code == 302

    seen_by_b = page(world, world.alumni_b, room)
    assert "三ツ葉から失礼します" in seen_by_b and "ひだまりです" in seen_by_b
    assert world.alumni_a.user.name in seen_by_b and world.net_a.name in seen_by_b
    seen_by_a = page(world, world.alumni_a, room)
    assert "山本 翔太" in seen_by_a and world.net_b.name in seen_by_a
    # Only the name crosses, whatever the member shares with their own network.
    assert "ひかり製作所" not in seen_by_a
    # The operator who opened the room is in it; the employee who did not join is not.
    assert world.operator_a.user.name in seen_by_b
    assert world.employee_a.user.name not in seen_by_b


def test_a_member_of_both_networks_is_shown_once_as_themselves(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_b, link)
    both = make_member(world.net_b, world.alumni_a.user)
    join(world.alumni_a, room)
    join(both, room)
    say(both, room, "両方の会員です")

    name = world.alumni_a.user.name
    for reader in (world.alumni_a, both):
        shown = page(world, reader, room)
        people = shown.split("data-shared-people", 1)[1]
        assert people.count(name) == 1
        # As themselves in each of their networks: never labelled as the other side's.
        assert f"<li>{name}</li>" in people
        assert f'{name}</strong> <span class="muted" data-network></span>' in shown
    # The operator who opened the room is of the other side for A's readers, and labelled so.
    a_view = page(world, world.alumni_a, room).split("data-shared-people", 1)[1]
    assert f'{world.operator_b.user.name} <span class="muted">({world.net_b.name})' in a_view


def test_withdrawing_rooms_from_the_link_archives_its_rooms_for_members(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("directory", "rooms"))
    room = open_room(world.operator_a, link, "合同勉強会")
    join(world.alumni_b, room)
    response = world.client(world.operator_b).post(
        f"/n/{world.net_b.slug}/links/{link.pk}/withdraw/", {"scope": "rooms"}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.state == "active" and link.scopes == ["directory"]
    with scopes_disabled():
        assert SharedRoom.objects.get(pk=room.pk).is_archived
    assert "合同勉強会" not in page(world, world.alumni_b)
    assert world.client(world.alumni_b).get(rooms_url(world.alumni_b, room)).status_code == 404
    # The operators keep the export of what their members wrote.
    assert f"{room.pk}/messages.csv" in page(world, world.operator_a)
    # The last thing a link shares goes by ending it.
    last = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/links/{link.pk}/withdraw/", {"scope": "directory"}
    )
    assert last.status_code == 409


def test_an_empty_message_gets_a_field_error_in_the_members_language(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_a, link)
    client = world.client(world.operator_a)
    response = client.post(
        rooms_url(world.operator_a, room, "send/"), {"body": " \n "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Write a message." in response.content.decode()
    with scopes_disabled():
        assert not SharedMessage.objects.exists()


def test_an_oversized_message_is_refused_with_a_field_error_and_nothing_is_kept(
    world: World,
) -> None:
    from django.core.exceptions import ValidationError
    from django_scopes import scope

    from ..actions import do_post_shared_message
    from ..models import SHARED_MESSAGE_MAX

    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_a, link)
    body = "髙﨑の報告：" + "ａ" * SHARED_MESSAGE_MAX  # full-width, one character over and more
    client = world.client(world.operator_a)
    for language, error in (("ja", "文字"), ("en", f"at most {SHARED_MESSAGE_MAX} characters")):
        client.cookies["django_language"] = language
        response = client.post(rooms_url(world.operator_a, room, "send/"), {"body": body})
        assert response.status_code == 400
        assert error in response.content.decode()
    # The action refuses it too, whoever calls it (the socket's send frame among them).
    with scope(network=world.net_a), pytest.raises(ValidationError) as refused:
        do_post_shared_message(world.operator_a, room, body, rate_limited=False)
    assert "body" in refused.value.message_dict
    with scopes_disabled():
        assert not SharedMessage.objects.exists()


def test_the_export_is_recorded_in_the_audit_log(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_a, link)
    say(world.operator_a, room, "記録されます")
    response = world.client(world.operator_a).get(rooms_url(world.operator_a, room, "messages.csv"))
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    with scopes_disabled():
        entry = AuditEntry.objects.get(network=world.net_a, action="collab.room_export")
    assert entry.detail["count"] == 1 and entry.actor_id == world.operator_a.user_id


def test_the_room_and_its_list_cost_a_bounded_number_of_queries_however_many_write(
    world: World, django_assert_max_num_queries: Any
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_a, link)
    for n in range(12):
        side = world.net_a if n % 2 else world.net_b
        writer = make_member(side, make_user(name=f"書き手 {n}"))
        join(writer, room)
        say(writer, room, f"メッセージ {n}")
    for n in range(4):
        open_room(world.operator_b, link, f"部屋 {n}")
    client = world.client(world.alumni_a)
    join(world.alumni_a, room)
    client.get(rooms_url(world.alumni_a, room))  # the caches of the layout, warm
    with django_assert_max_num_queries(16):
        assert client.get(rooms_url(world.alumni_a, room)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(rooms_url(world.alumni_a)).status_code == 200
    with scopes_disabled():
        assert SharedRoomMember.objects.filter(room=room).count() == 14
