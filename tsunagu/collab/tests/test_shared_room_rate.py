"""Posting in a shared room is limited as in talk rooms: past the limit the page says so in the
member's language and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.testing.world import World

from ..models import SharedMessage
from .helpers import join, link_networks, open_room

pytestmark = pytest.mark.django_db

TOO_FAST = "You are sending messages too fast. Wait a few seconds and try again."


@pytest.fixture
def tight_limit(settings: Any) -> None:
    settings.TALK_RATE_MESSAGES = 2
    settings.TALK_RATE_SECONDS = 10**9  # one window for the whole test


def test_posting_past_talks_limit_is_refused_with_a_clear_error_on_the_page(
    world: World, tight_limit: None
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_a, link)
    join(world.alumni_b, room)
    client = world.client(world.alumni_b)
    url = f"/n/{world.net_b.slug}/links/rooms/{room.pk}/send/"
    for n in range(2):
        assert client.post(url, {"body": f"ひだまりです {n}"}).status_code == 302
    refused = client.post(url, {"body": "三通目"})
    assert refused.status_code == 429
    with translation.override("ja"):
        assert _(TOO_FAST) in refused.content.decode()
    assert "三通目" in refused.content.decode()  # what they wrote stays in the field
    with scopes_disabled():
        assert list(SharedMessage.objects.values_list("body", flat=True)) == [
            "ひだまりです 0",
            "ひだまりです 1",
        ]
    # Another member of the room is not held back by it.
    join(world.alumni_a, room)
    other = world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/links/rooms/{room.pk}/send/", {"body": "三ツ葉です"}
    )
    assert other.status_code == 302
