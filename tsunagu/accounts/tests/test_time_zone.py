"""Members abroad see times in their own time zone; the rest see Japan's."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from tsunagu.accounts.middleware import TIME_ZONE_COOKIE
from tsunagu.core.testing.factories import PASSWORD
from tsunagu.events.tests.helpers import make_event
from tsunagu.testing.world import World

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.django_db
def test_a_member_in_london_sees_an_event_in_london_time(world: World) -> None:
    starts = datetime.datetime(2030, 12, 12, 14, 0, tzinfo=TOKYO)  # 05:00 in London (GMT)
    event = make_event(world.net_a, title="アルムナイ総会", starts_at=starts)
    url = f"/n/{world.net_a.slug}/events/{event.pk}/"
    client = world.client(world.alumni_a)
    assert "2030年12月12日(木) 14:00" in client.get(url).content.decode()  # the site's zone

    response = client.post(
        "/accounts/settings/",
        {"name": world.alumni_a.user.name, "language": "ja", "time_zone": "Europe/London"},
    )
    assert response.status_code == 302
    assert response.cookies[TIME_ZONE_COOKIE].value == "Europe/London"
    page = client.get(url).content.decode()
    assert "2030年12月12日(木) 05:00" in page and "14:00" not in page

    client.post("/accounts/settings/", {"name": "x", "language": "ja", "time_zone": ""})
    assert "14:00" in client.get(url).content.decode()  # back to the site's zone


@pytest.mark.django_db
def test_logging_in_brings_the_saved_zone_and_a_forged_cookie_is_ignored(world: World) -> None:
    user = world.alumni_a.user
    user.time_zone = "America/New_York"
    user.save()
    from django.test import Client

    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.cookies[TIME_ZONE_COOKIE].value == "America/New_York"
    event = make_event(world.net_a, starts_at=datetime.datetime(2030, 6, 1, 9, 0, tzinfo=TOKYO))
    client.cookies[TIME_ZONE_COOKIE] = "Mars/Olympus_Mons"
    page = client.get(f"/n/{world.net_a.slug}/events/{event.pk}/").content.decode()
    assert "09:00" in page  # an unknown zone falls back to the site's, never a 500
