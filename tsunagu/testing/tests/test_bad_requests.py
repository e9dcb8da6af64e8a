"""Junk in a request gets a clear 400 or 404 page in the visitor's language, never a 500.

A NUL byte broke PostgreSQL's text comparisons (the search box, the directory, the invitation
links); an id of 20 digits overflowed SQLite; a disallowed host rendered the 400 page without a
user. Every test here runs on both databases (the two passes of ``make test``).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from tsunagu.events.models import Event
from tsunagu.events.tests.helpers import make_event
from tsunagu.talk.models import Room
from tsunagu.talk.tests.helpers import default_room
from tsunagu.testing.world import World

HUGE = "99999999999999999999"  # 20 digits: past a 64-bit integer
BAD_REQUEST_JA = "リクエストを処理できませんでした"
BAD_REQUEST_EN = "We could not understand this request"
NOT_FOUND_JA = "ページが見つかりません"


def page(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "search/?q=a%00b",
        "members/?q=a%00b",
        "members/?a%00b=1",
        "boards/search/?q=%00",
        "news/?tag=%00",
        "talk/people/?q=a%00b",
        "manage/console/members/?q=%00",
        "members/a%00b/",
    ],
)
def test_a_nul_byte_in_an_address_is_a_400_page(world: World, address: str) -> None:
    response = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/{address}")
    assert response.status_code == 400
    assert BAD_REQUEST_JA in page(response)


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["invitation", "join"])
def test_a_nul_byte_in_an_invitation_link_is_a_400_for_anonymous_visitors(
    world: World, link: str
) -> None:
    client = world.client(None)
    for method in (client.get, client.post):
        response = method(f"/n/{world.net_a.slug}/{link}/a%00b/")
        assert response.status_code == 400
        assert BAD_REQUEST_JA in page(response)


@pytest.mark.django_db
def test_a_nul_byte_in_a_posted_field_is_a_400_and_changes_nothing(world: World) -> None:
    event = make_event(world.net_a)
    client = world.client(world.operator_a)
    address = f"/n/{world.net_a.slug}/events/{event.pk}/call-off/"
    response = client.post(address, {"reason": "会場の都合\x00"})
    assert response.status_code == 400
    with scopes_disabled():
        assert Event.objects.get(pk=event.pk).called_off_at is None
    response = client.post(address, {"reason\x00": "会場の都合"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_400_page_speaks_the_visitors_language(world: World) -> None:
    client = Client(headers={"accept-language": "en"})
    response = client.get(f"/n/{world.net_a.slug}/invitation/a%00b/")
    assert response.status_code == 400
    assert BAD_REQUEST_EN in page(response)
    assert BAD_REQUEST_JA not in page(response)


@pytest.mark.django_db
def test_a_session_cookie_holding_a_nul_byte_is_ignored(world: World) -> None:
    client = world.client(None)
    client.cookies.load({"sessionid": "abcdefghij\x00"})
    response = client.get(f"/n/{world.net_a.slug}/about/")
    assert response.status_code == 200
    assert world.net_a.name in page(response)
    response = client.get(f"/n/{world.net_a.slug}/members/")
    assert response.status_code == 302  # to the login page, as for any visitor


@pytest.mark.django_db
def test_an_id_that_cannot_be_a_row_is_a_404_page(world: World) -> None:
    client = world.client(world.operator_a)
    event = make_event(world.net_a)
    room = default_room(world.net_a)
    for address in (
        f"members/{HUGE}/",
        f"members/{HUGE}/photo/",
        f"events/{HUGE}/",
        f"boards/t/{HUGE}/",
        f"talk/r/{HUGE}/",
        f"talk/r/{room.pk}/m/{HUGE}/",
        "members/0/",
        f"events/{2**63}/",
    ):
        response = client.get(f"/n/{world.net_a.slug}/{address}")
        assert response.status_code == 404, address
        assert NOT_FOUND_JA in page(response), address
    # The largest id there can be is an address like any other: it names no event here.
    response = client.get(f"/n/{world.net_a.slug}/events/{2**63 - 1}/")
    assert response.status_code == 404
    assert client.get(f"/n/{world.net_a.slug}/events/{event.pk}/").status_code == 200


@pytest.mark.django_db
def test_ids_past_64_bits_in_a_form_are_refused_like_any_unknown_choice(world: World) -> None:
    client = world.client(world.operator_a)
    for junk in (HUGE, "abc"):
        response = client.post(
            f"/n/{world.net_a.slug}/events/new/", {"title": "朝活", "organisers": junk}
        )
        assert response.status_code == 200  # the form again, with its errors
        assert junk in page(response)  # "… is not one of the available choices"
    # A group chat with the ids that are not members left out: none, then one real member.
    address = f"/n/{world.net_a.slug}/talk/groups/new/"
    for junk in (HUGE, "abc"):
        response = client.post(address, {"name": "幹事会", "members": junk}, follow=True)
        assert "ほかのメンバーを1人以上選んでください" in page(response)
    response = client.post(address, {"name": "幹事会", "members": [HUGE, world.alumni_a.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        [group] = Room.objects.filter(network=world.net_a, name="幹事会")
        assert group.members.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("ssl_redirect", [False, True])
def test_a_disallowed_host_is_a_400_page_with_debug_off(settings, ssl_redirect: bool) -> None:
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["tsunagu.example.jp"]
    settings.SECURE_SSL_REDIRECT = ssl_redirect
    response = Client().get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert BAD_REQUEST_JA in page(response)
    response = Client().get("/", headers={"host": "evil.example", "accept-language": "en"})
    assert response.status_code == 400
    assert BAD_REQUEST_EN in page(response)
