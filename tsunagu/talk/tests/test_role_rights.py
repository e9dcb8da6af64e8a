"""Rights that come with the operator role end with it: the conversations with the office and the
closed rooms an operator joined as one, over HTTP, in the room list and on the socket."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.talk.actions import do_invite, do_join_room, do_open_office
from tsunagu.talk.models import Message, Room, RoomKind, RoomMember
from tsunagu.talk.tests.helpers import make_room, post
from tsunagu.tenancy.actions import do_change_role, do_change_status
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db

SECRET = f"退職理由について内密に相談させてください {CANARY_A}"


def url(world: World, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/talk/{path}"


def set_role(world: World, target: Membership, role: str) -> None:
    with scope(network=world.net_a):
        do_change_role(world.operator_a, target, role)
        target.refresh_from_db()


def set_status(world: World, target: Membership, status: str) -> None:
    with scope(network=world.net_a):
        do_change_status(world.operator_a, target, status)
        target.refresh_from_db()


def office_with_answer(world: World, answerer: Membership) -> tuple[Room, Message]:
    """The alumna asks the office; ``answerer``, an operator now, answers."""
    with scope(network=world.net_a):
        room = do_open_office(world.alumni_a)
    post(world.alumni_a, room, SECRET)
    answer = post(answerer, room, "承知しました。担当からご連絡します。")
    return room, answer


def room_urls(world: World, room: Room, message: Message) -> list[tuple[str, str, dict[str, Any]]]:
    m = f"r/{room.pk}/m/{message.pk}/"
    return [
        ("get", url(world, f"r/{room.pk}/"), {}),
        ("get", url(world, f"r/{room.pk}/search/"), {"q": "相談"}),
        ("get", url(world, f"r/{room.pk}/files/"), {}),
        ("get", url(world, f"r/{room.pk}/members/"), {}),
        ("get", url(world, m), {}),
        ("post", url(world, f"r/{room.pk}/send/"), {"body": "まだ見えますか", "client_id": "x-1"}),
        ("post", url(world, f"r/{room.pk}/read/"), {"seq": 1}),
        ("post", url(world, f"r/{room.pk}/join/"), {}),
        ("post", url(world, m + "react/"), {"stamp": "like"}),
        ("post", url(world, m + "edit/"), {"body": "書き換え"}),
        ("post", url(world, m + "delete/"), {}),
        ("post", url(world, m + "moderate/"), {"action": "pin"}),
    ]


def assert_shut_out(world: World, who: Membership, room: Room, message: Message) -> None:
    client = world.client(who)
    for method, path, data in room_urls(world, room, message):
        response = getattr(client, method)(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
    listing = client.get(url(world)).content.decode()
    assert f"/r/{room.pk}/" not in listing
    with scopes_disabled():
        assert Message.objects.filter(room=room).count() == 2  # nothing was sent as the office
        assert not RoomMember.objects.filter(room=room, member=who).exists()


def test_a_demoted_operator_no_longer_reads_or_answers_for_the_office(world: World) -> None:
    helper = world.supporter_a
    set_role(world, helper, Role.OPERATOR)
    room, answer = office_with_answer(world, helper)
    page = world.client(helper).get(url(world, f"r/{room.pk}/")).content.decode()
    assert SECRET in page

    set_role(world, helper, Role.SUPPORTER)
    assert_shut_out(world, helper, room, answer)
    # The office goes on without them; the member who asked still has the conversation.
    assert SECRET in world.client(world.alumni_a).get(url(world, f"r/{room.pk}/")).content.decode()
    assert (
        SECRET in world.client(world.operator_a).get(url(world, f"r/{room.pk}/")).content.decode()
    )


def test_a_suspended_then_reinstated_former_operator_stays_out(world: World) -> None:
    helper = world.employee_a
    set_role(world, helper, Role.OPERATOR)
    room, answer = office_with_answer(world, helper)
    set_status(world, helper, Status.SUSPENDED)
    set_role(world, helper, Role.EMPLOYEE)
    set_status(world, helper, Status.ACTIVE)
    assert_shut_out(world, helper, room, answer)


def test_an_operator_reinstated_as_operator_answers_for_the_office_again(world: World) -> None:
    helper = world.supporter_a
    set_role(world, helper, Role.OPERATOR)
    room, _answer = office_with_answer(world, helper)
    set_status(world, helper, Status.SUSPENDED)
    with scopes_disabled():
        assert not RoomMember.objects.filter(room=room, member=helper).exists()
    set_status(world, helper, Status.ACTIVE)
    page = world.client(helper).get(url(world, f"r/{room.pk}/")).content.decode()
    assert SECRET in page  # the role is theirs again, and with it the office


def test_a_new_operator_joins_every_conversation_with_the_office(world: World) -> None:
    with scope(network=world.net_a):
        room = do_open_office(world.alumni_a)
    post(world.alumni_a, room, SECRET)
    set_role(world, world.supporter_a, Role.OPERATOR)
    client = world.client(world.supporter_a)
    assert SECRET in client.get(url(world, f"r/{room.pk}/")).content.decode()
    assert f"/r/{room.pk}/" in client.get(url(world)).content.decode()


def test_a_closed_room_joined_as_an_operator_ends_with_the_role(world: World) -> None:
    helper = world.supporter_a
    set_role(world, helper, Role.OPERATOR)
    room = make_room(world.operator_a, name="人事面談の調整", kind=RoomKind.CLOSED)
    with scope(network=world.net_a):
        do_join_room(helper, room)
    message = post(helper, room, SECRET)
    post(world.operator_a, room, "了解です")
    set_role(world, helper, Role.SUPPORTER)
    assert_shut_out(world, helper, room, message)


def test_a_place_given_by_invitation_outlives_the_role(world: World) -> None:
    """Someone invited to a closed room as a person keeps it when their role changes."""
    room = make_room(world.operator_a, name="OB会幹事会", kind=RoomKind.CLOSED)
    with scope(network=world.net_a):
        do_invite(world.operator_a, room, [world.supporter_a])
    post(world.operator_a, room, "次回の幹事会は来月です")
    set_role(world, world.supporter_a, Role.OPERATOR)
    set_role(world, world.supporter_a, Role.ALUMNI)
    page = world.client(world.supporter_a).get(url(world, f"r/{room.pk}/"))
    assert page.status_code == 200 and "次回の幹事会" in page.content.decode()


def test_a_lingering_place_of_a_former_operator_opens_nothing(world: World) -> None:
    """Even a place left behind by a bulk update (no signals) gives a former operator nothing:
    what they may see is decided by the role they have now."""
    helper = world.supporter_a
    set_role(world, helper, Role.OPERATOR)
    room, answer = office_with_answer(world, helper)
    closed = make_room(world.operator_a, name="人事面談の調整", kind=RoomKind.CLOSED)
    with scope(network=world.net_a):
        do_join_room(helper, closed)
    closed_message = post(world.operator_a, closed, SECRET)
    with scopes_disabled():
        Membership.objects.filter(pk=helper.pk).update(role=Role.SUPPORTER)
        assert RoomMember.objects.filter(member=helper, via_role=True).count() == 2
    from django.core.cache import cache

    cache.clear()  # the cached membership would otherwise still say operator
    client = world.client(helper)
    for target, message in ((room, answer), (closed, closed_message)):
        for method, path, data in room_urls(world, target, message):
            response = getattr(client, method)(path, data)
            assert response.status_code == 404, (method, path, response.status_code)
        assert f"/r/{target.pk}/" not in client.get(url(world)).content.decode()


def talk_badge(world: World, who: Membership) -> str:
    page = world.client(who).get(f"/n/{world.net_a.slug}/events/").content.decode()
    match = re.search(r"data-talk-unread[^>]*>(\d+)<", page)
    assert match, "the header has no talk count"
    return match.group(1)


def test_the_header_s_talk_count_drops_the_office_with_the_role(world: World) -> None:
    helper = world.supporter_a
    set_role(world, helper, Role.OPERATOR)
    talk_badge(world, helper)  # the total is now cached
    with scope(network=world.net_a):
        room = do_open_office(world.alumni_a)
    for i in range(3):
        post(world.alumni_a, room, f"{SECRET} {i}")
    assert talk_badge(world, helper) == "3"
    set_role(world, helper, Role.SUPPORTER)
    assert talk_badge(world, helper) == "0"
