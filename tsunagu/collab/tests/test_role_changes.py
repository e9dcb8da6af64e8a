"""A role or status taken away ends what came with it across a link at the next request: a
demoted operator no longer manages co-hosting, sees attendees or exports a shared room; a
suspended member no longer reads or writes in the room they joined."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.actions import do_change_role, do_change_status
from tsunagu.tenancy.models import Role, Status
from tsunagu.testing.world import World

from .helpers import cohost_event, join, link_networks, open_room, say

pytestmark = pytest.mark.django_db

OK = (200, 302)


def test_a_demoted_operator_loses_co_hosting_and_room_exports_at_once(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events", "rooms"))
    event = make_event(world.net_a, title="合同の交流会")
    cohost_event(event, world.operator_a, world.operator_b, link)
    room = open_room(world.operator_b, link, "合同企画")
    say(world.operator_b, room, "ひだまりの伊藤です。")
    pages_a = (
        f"/n/mitsuba-a/links/events/{event.pk}/hosts/",
        f"/n/mitsuba-a/links/events/{event.pk}/attendees/",
    )
    pages_b = (
        f"/n/hidamari-b/links/events/{event.pk}/attendees/",
        f"/n/hidamari-b/links/rooms/{room.pk}/messages.csv",
        "/n/hidamari-b/links/",
    )
    for operator, pages in ((world.operator_a, pages_a), (world.operator_b, pages_b)):
        client = world.client(operator)
        for page in pages:
            assert client.get(page).status_code in OK, page
    # Each network's second operator demotes the first.
    for operator in (world.operator_a, world.operator_b):
        other = make_member(operator.network, make_user(name="二人目 運営"), role=Role.OPERATOR)
        with scope(network=operator.network):
            do_change_role(other, operator, Role.ALUMNI)
    for operator, pages in ((world.operator_a, pages_a), (world.operator_b, pages_b)):
        client = world.client(operator)
        for page in pages:
            assert client.get(page).status_code in (403, 404), page
    # Nor may the demoted operator open a room on the link.
    response = world.client(world.operator_b).post(
        "/n/hidamari-b/links/rooms/new/", {"link": link.pk, "name": "新しい部屋"}
    )
    assert response.status_code in (403, 404)


def test_a_suspended_member_no_longer_reads_or_writes_in_the_room_they_joined(
    world: World,
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_a, link, "合同企画")
    join(world.alumni_b, room)
    say(world.operator_a, room, "三ツ葉の佐藤です。")
    client = world.client(world.alumni_b)
    page = f"/n/hidamari-b/links/rooms/{room.pk}/"
    assert "三ツ葉の佐藤です。" in client.get(page).content.decode()
    with scope(network=world.net_b):
        do_change_status(world.operator_b, world.alumni_b, Status.SUSPENDED)
    response = client.get(page)
    assert (
        response.status_code in (403, 404) and "三ツ葉の佐藤です。" not in response.content.decode()
    )
    sent = client.post(f"{page}send/", {"body": "まだ書けますか"})
    assert sent.status_code in (403, 404)
