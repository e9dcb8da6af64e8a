"""An event's date and fee read as a Japanese notice would print them (docs/style-ja.md), and as
English readers write them."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from tsunagu.events.tests.helpers import make_event
from tsunagu.testing.world import World

TOKYO = ZoneInfo("Asia/Tokyo")
STARTS = datetime.datetime(2030, 12, 12, 19, 30, tzinfo=TOKYO)  # a Thursday


@pytest.mark.django_db
def test_the_event_shows_its_date_with_the_weekday_and_its_fee_with_separators(
    world: World,
) -> None:
    event = make_event(world.net_a, title="忘年会", starts_at=STARTS, fee=3000)
    client = world.client(world.alumni_a)
    base = f"/n/{world.net_a.slug}/events/"

    page = client.get(f"{base}{event.pk}/").content.decode()
    assert "2030年12月12日(木) 19:30" in page and "21:30" in page
    assert "3,000円" in page and "¥" not in page
    listed = client.get(base).content.decode()
    assert "2030年12月12日(木) 19:30" in listed and "3,000円" in listed

    client.cookies["django_language"] = "en"
    page = client.get(f"{base}{event.pk}/").content.decode()
    assert "Thu 12 Dec 2030, 19:30" in page and "¥3,000" in page
