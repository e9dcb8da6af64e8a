"""Junk in a request gets a clear 400 or 404 page in the visitor's language, never a 500.

A NUL byte broke PostgreSQL's text comparisons (the search box, the directory, the invitation
links); an id of 20 digits overflowed SQLite; a disallowed host rendered the 400 page without a
user. Every test here runs on both databases (the two passes of ``make test``).
"""

from __future__ import annotations

import pytest

from tsunagu.core.testing.factories import make_event
from tsunagu.core.testing.talk import default_room
from tsunagu.core.testing.world import World

HUGE = "99999999999999999999"  # 20 digits: past a 64-bit integer
BAD_REQUEST_JA = "リクエストを処理できませんでした"
BAD_REQUEST_EN = "We could not understand this request"
NOT_FOUND_JA = "ページが見つかりません"


def page(response) -> str:
    return response.content.decode()


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
