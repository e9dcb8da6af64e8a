"""Who never gets into a shared room: a third network, members who did not join, everyone once
the link ended; what each side's operators export; who is told; the talk app's caches."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import CANARY_A, World

from ..actions import do_revoke_link
from ..models import Link, SharedMessage, SharedRoom
from .helpers import join, link_networks, open_room, say

pytestmark = pytest.mark.django_db

B_SECRET = "ひだまりの内緒話-2c41"


def url(member: Membership, room: SharedRoom | None = None, tail: str = "") -> str:
    base = f"/n/{member.network.slug}/links/rooms/"
    return f"{base}{room.pk}/{tail}" if room is not None else base + tail


def shared_room(world: World) -> tuple[Link, SharedRoom]:
    """A and B share a room; A's alumni and B's alumni joined and wrote; A's operator opened it."""
    link = link_networks(world.operator_a, world.operator_b, ("directory", "rooms"))
    room = open_room(world.operator_a, link, "合同企画")
    join(world.alumni_a, room)
    join(world.alumni_b, room)
    say(world.alumni_a, room, f"三ツ葉の話 {CANARY_A}")
    say(world.alumni_b, room, B_SECRET)
    return link, room


def third_network(world: World) -> tuple[Membership, Membership]:
    """つる会, linked with A too (sharing rooms, one of its own): its operator and a member."""
    third = make_network(slug="tsuru-c", name="つる会")
    operator = make_member(third, make_user(name="鶴田 運営"), role=Role.OPERATOR)
    member = make_member(third, make_user(name="鶴見 会員"))
    other = link_networks(world.operator_a, operator, ("rooms",))
    join(member, open_room(operator, other, "つる会との部屋"))
    return operator, member


A_WORDS = "三ツ葉の話"


EVERY_PAGE = (("get", ""), ("post", "send/"), ("post", "join/"), ("post", "leave/"))


def assert_shut_out(
    world: World, member: Membership, room: SharedRoom, pages_of_room: tuple = EVERY_PAGE
) -> list[str]:
    """The room's pages answer 404 to ``member``, and no message shows; the pages read."""
    client = world.client(member)
    pages = []
    for method, tail in pages_of_room:
        response = getattr(client, method)(url(member, room, tail), {"body": "入れて"})
        assert response.status_code == 404, (member.user.name, method, tail)
        pages.append(response.content.decode())
    pages.append(client.get(url(member)).content.decode())
    for body in pages:
        assert A_WORDS not in body and B_SECRET not in body
    return pages


def test_a_third_network_never_sees_the_room(world: World) -> None:
    _link, room = shared_room(world)
    operator_c, member_c = third_network(world)
    for member in (operator_c, member_c):
        for body in assert_shut_out(world, member, room):
            assert CANARY_A not in body and "合同企画" not in body
    export = world.client(operator_c).get(url(operator_c, room, "messages.csv"))
    assert export.status_code == 404
    # Through a side's address, the network itself refuses them.
    assert world.client(member_c).get(url(world.alumni_a, room)).status_code in (302, 403)


def test_a_member_who_did_not_join_cannot_read_or_post(world: World) -> None:
    _link, room = shared_room(world)
    for member in (world.employee_a, world.supporter_b, world.operator_b):
        assert_shut_out(world, member, room, EVERY_PAGE[:2])  # they may still join
    with scopes_disabled():
        assert SharedMessage.objects.count() == 2
    # Leaving shuts the door again.
    client = world.client(world.alumni_a)
    assert client.post(url(world.alumni_a, room, "leave/")).status_code == 302
    assert client.get(url(world.alumni_a, room)).status_code == 404


def test_after_the_link_ends_nobody_of_either_side_can_read_post_or_join(world: World) -> None:
    link, room = shared_room(world)
    with scope(network=world.net_b):
        do_revoke_link(world.operator_b, link)
    everyone = (world.operator_a, world.supporter_a, world.employee_a, world.alumni_a)
    for member in (*everyone, world.operator_b, world.supporter_b, world.alumni_b):
        assert_shut_out(world, member, room)
        assert "合同企画" not in world.client(member).get(url(member)).content.decode() or (
            member.is_operator  # listed among the closed rooms, for the export only
        )
    with scopes_disabled():
        assert SharedMessage.objects.count() == 2


def export_of(world: World, operator: Membership, room: SharedRoom) -> str:
    response = world.client(operator).get(url(operator, room, "messages.csv"))
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_each_side_exports_only_what_its_own_members_wrote(world: World) -> None:
    link, room = shared_room(world)
    for ended in (False, True):
        of_a, of_b = (
            export_of(world, world.operator_a, room),
            export_of(world, world.operator_b, room),
        )
        assert CANARY_A in of_a and B_SECRET not in of_a, ended
        assert B_SECRET in of_b and CANARY_A not in of_b, ended
        assert "山本 翔太" in of_b and "山本 翔太" not in of_a
        if not ended:
            with scope(network=world.net_a):
                do_revoke_link(world.operator_a, link)
    # Members export nothing, whichever side.
    assert (
        world.client(world.alumni_a).get(url(world.alumni_a, room, "messages.csv")).status_code
        == 403
    )


def test_only_the_joined_members_are_told_when_the_room_closes(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    link, room = shared_room(world)
    third_network(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), scope(network=world.net_a):
        do_revoke_link(world.operator_a, link)
    with scopes_disabled():
        told = set(
            Notification.objects.filter(kind="shared_room_closed").values_list(
                "recipient_id", "network_id"
            )
        )
    joined = {world.operator_a, world.alumni_a, world.alumni_b}
    assert told == {(m.user_id, m.network_id) for m in joined}
    addresses = {address for message in mail.outbox for address in message.to}
    assert addresses == {m.user.email for m in joined}


def talk_badge(html: str) -> str:
    found = re.search(r'data-count-of="talk"[^>]*>([^<]*)<', html)
    return found[1] if found else ""


def test_the_room_stays_out_of_the_talk_pages_of_a_network_that_is_no_side(world: World) -> None:
    _link, room = shared_room(world)
    _operator_c, member_c = third_network(world)
    c_home = f"/n/{member_c.network.slug}/"
    client_c = world.client(member_c)
    before = talk_badge(client_c.get(c_home).content.decode())
    # Both sides fill the talk app's caches (lists, rooms, header counts) meanwhile.
    for member in (world.alumni_a, world.operator_a, world.alumni_b):
        for page in ("", "talk/", f"links/rooms/{room.pk}/"):
            assert world.client(member).get(f"/n/{member.network.slug}/{page}").status_code == 200
    for n in range(3):
        say(world.alumni_a, room, f"続き {n} {CANARY_A}")
    for page in ("", "talk/", "links/rooms/", "search/?q=" + CANARY_A[-6:]):
        response = client_c.get(f"{c_home}{page}")
        assert response.status_code == 200, page
        body = response.content.decode()
        assert CANARY_A not in body and "合同企画" not in body, page
    assert talk_badge(client_c.get(c_home).content.decode()) == before
