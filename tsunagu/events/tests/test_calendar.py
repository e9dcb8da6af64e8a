"""iCalendar files, read back with the icalendar library as a calendar application would."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_scopes import scope, scopes_disabled
from icalendar import Calendar

from tsunagu.events.actions import do_rotate_calendar_feed
from tsunagu.events.calendar import make_feed_token
from tsunagu.events.models import Audience, CalendarFeedKey, Registration
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.tokens import make_token
from tsunagu.testing.world import CANARY_A, World

STARTS = datetime(2030, 4, 12, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo


def parse(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.mark.django_db
def test_event_ics_parses_with_times_in_utc_and_no_meeting_url_for_non_participants(
    world: World,
) -> None:
    event = make_event(
        world.net_a,
        title="オンライン自己紹介リレー",
        starts_at=STARTS,
        venue="",
        online_url="https://meet.example.jp/room-42",
    )
    client = world.client(world.alumni_a)
    [vevent] = parse(client.get(f"/n/{world.net_a.slug}/events/{event.pk}/event.ics"))
    assert str(vevent["summary"]) == "オンライン自己紹介リレー"
    assert vevent.decoded("dtstart") == STARTS
    assert vevent.decoded("dtend") == STARTS + timedelta(hours=2)
    assert str(vevent["uid"]).startswith(f"event-{event.pk}@")
    assert "room-42" not in str(vevent.get("description")) + str(vevent.get("location", ""))
    with scopes_disabled():
        Registration.objects.create(
            network=world.net_a, event=event, user=world.alumni_a.user, status="confirmed"
        )
    [vevent] = parse(client.get(f"/n/{world.net_a.slug}/events/{event.pk}/event.ics"))
    assert "room-42" in str(vevent["location"])


@pytest.mark.django_db
def test_member_feed_lists_applied_events_and_network_feed_every_visible_one(
    world: World,
) -> None:
    applied = make_event(world.net_a, title="朝活 読書会")
    make_event(world.net_a, title="夏の BBQ 大会")
    make_event(world.net_a, title="社員限定 オフィスツアー", audience=Audience.EMPLOYEES)
    with scopes_disabled():
        Registration.objects.create(
            network=world.net_a, event=applied, user=world.alumni_a.user, status="waitlisted"
        )
    token = make_feed_token(world.alumni_a.user_id, world.net_a.pk)
    anonymous = world.client(None)  # a calendar application has no session
    base = f"/n/{world.net_a.slug}/events/calendar/{token}"
    mine = [str(v["summary"]) for v in parse(anonymous.get(f"{base}/mine.ics"))]
    assert mine == ["朝活 読書会"]
    every = sorted(str(v["summary"]) for v in parse(anonymous.get(f"{base}/all.ics")))
    assert every == ["夏の BBQ 大会", "朝活 読書会"]  # not the employees' event


@pytest.mark.django_db
def test_feed_refuses_bad_tokens_other_networks_and_departed_members(world: World) -> None:
    make_event(world.net_a, title=f"内部勉強会 {CANARY_A}")
    anonymous = world.client(None)
    token = make_feed_token(world.alumni_a.user_id, world.net_a.pk)
    for path in (
        f"/n/{world.net_b.slug}/events/calendar/{token}/all.ics",  # A's token under B
        f"/n/{world.net_a.slug}/events/calendar/{token}x/all.ics",  # tampered
        f"/n/{world.net_a.slug}/events/calendar/"
        + make_token(world.alumni_a.user_id, world.net_a.pk, "announcement")
        + "/all.ics",  # signed for another purpose
    ):
        response = anonymous.get(path)
        assert response.status_code == 404, path
        assert CANARY_A not in response.content.decode()
    with scopes_disabled():
        world.alumni_a.status = "left"
        world.alumni_a.save()
    response = anonymous.get(f"/n/{world.net_a.slug}/events/calendar/{token}/all.ics")
    assert response.status_code == 404


def calendar_addresses(client: Client, slug: str) -> list[str]:
    """The feed addresses the member's events page shows them."""
    page = client.get(f"/n/{slug}/events/").content.decode()
    return re.findall(rf"/n/{slug}/events/calendar/[^/\"]+/(?:mine|all)\.ics", page)


@pytest.mark.django_db
def test_a_member_renews_their_calendar_addresses_and_the_old_ones_stop_working(
    world: World,
) -> None:
    slug = world.net_a.slug
    anonymous = world.client(None)  # a calendar application has no session
    member = world.client(world.alumni_a)
    old = calendar_addresses(member, slug)
    theirs = calendar_addresses(world.client(world.employee_a), slug)
    assert len(old) == 2 and all(anonymous.get(url).status_code == 200 for url in old + theirs)
    assert member.get(f"/n/{slug}/events/calendar/renew/").status_code == 405  # a POST only
    response = member.post(f"/n/{slug}/events/calendar/renew/")
    assert response.status_code == 302
    assert response["Location"] == f"/n/{slug}/events/#calendar-feeds"
    new = calendar_addresses(member, slug)
    assert len(new) == 2
    assert [anonymous.get(url).status_code for url in old] == [404, 404]
    for url in new:
        parse(anonymous.get(url))
    # The colleague's addresses are theirs: untouched.
    assert all(anonymous.get(url).status_code == 200 for url in theirs)
    # Renewing again ends the second addresses too.
    member.post(f"/n/{slug}/events/calendar/renew/")
    assert [anonymous.get(url).status_code for url in new] == [404, 404]


@pytest.mark.django_db
def test_nobody_else_can_renew_a_members_calendar_addresses(world: World) -> None:
    slug = world.net_a.slug
    anonymous = world.client(None)
    addresses = calendar_addresses(world.client(world.alumni_a), slug)
    # A member of network B, under A's address and under B's own; a visitor with no account.
    outsider = world.client(world.alumni_b)
    assert outsider.post(f"/n/{slug}/events/calendar/renew/").status_code == 302  # to A's about
    assert outsider.post(f"/n/{world.net_b.slug}/events/calendar/renew/").status_code == 302
    assert anonymous.post(f"/n/{slug}/events/calendar/renew/").status_code == 302  # to log in
    assert all(anonymous.get(url).status_code == 200 for url in addresses)
    with scopes_disabled():
        assert list(CalendarFeedKey.objects.values_list("membership_id", "version")) == [
            (world.alumni_b.pk, 1)
        ]
    # A suspended member cannot renew (the action refuses whoever calls it).
    with scopes_disabled():
        world.alumni_a.status = "suspended"
        world.alumni_a.save()
    with pytest.raises(PermissionDenied), scope(network=world.net_a):
        do_rotate_calendar_feed(world.alumni_a)
