"""Recurring series: the dates are created at once, members take a date as presenter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.events.models import Event, Series
from tsunagu.events.tests.helpers import make_event
from tsunagu.testing.world import World


def series_data(**overrides) -> dict:
    data = {
        "title": "オンライン自己紹介リレー",
        "description": "毎週一人、近況を話します。",
        "category": "meetup",
        "cadence": "weekly",
        "first_starts_at": "2031-01-31T20:00",
        "duration": "45",
        "occurrences": "4",
        "venue": "",
        "online_url": "https://meet.example.jp/relay",
        "capacity": "",
    }
    data.update(overrides)
    return data


def create(world: World, member, **overrides) -> Series:
    response = world.client(member).post(
        f"/n/{world.net_a.slug}/events/series/new/", series_data(**overrides)
    )
    assert response.status_code == 302, response.context["form"].errors
    with scopes_disabled():
        return Series.objects.get(network=world.net_a)


def local_starts(series: Series) -> list[str]:
    with scopes_disabled():
        return [
            timezone.localtime(e.starts_at).strftime("%Y-%m-%d %H:%M")
            for e in Event.objects.filter(series=series).order_by("starts_at")
        ]


@pytest.mark.django_db
def test_weekly_series_creates_one_event_per_week_at_the_same_time(world: World) -> None:
    series = create(world, world.operator_a)
    assert local_starts(series) == [
        "2031-01-31 20:00",
        "2031-02-07 20:00",
        "2031-02-14 20:00",
        "2031-02-21 20:00",
    ]
    with scopes_disabled():
        event = Event.objects.filter(series=series).first()
    assert event.ends_at - event.starts_at == timedelta(minutes=45)


@pytest.mark.django_db
def test_monthly_series_keeps_the_day_or_takes_the_last_of_a_short_month(world: World) -> None:
    series = create(world, world.operator_a, cadence="monthly", occurrences="3")
    assert local_starts(series) == ["2031-01-31 20:00", "2031-02-28 20:00", "2031-03-31 20:00"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurrences": "53"}, "occurrences"),
        ({"occurrences": "0"}, "occurrences"),
        ({"duration": "-5"}, "duration"),
        ({"online_url": "ftp://example.jp/x"}, "online_url"),
        ({"online_url": "", "venue": ""}, "venue"),
        ({"first_starts_at": "明日"}, "first_starts_at"),
    ],
)
@pytest.mark.django_db
def test_bad_series_input_is_a_field_error_and_creates_nothing(
    world: World, overrides: dict, field: str
) -> None:
    response = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/events/series/new/", series_data(**overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    with scopes_disabled():
        assert not Series.objects.exists() and not Event.objects.exists()


@pytest.mark.django_db
def test_members_take_a_date_everyone_sees_who_is_next_and_a_date_is_taken_once(
    world: World,
) -> None:
    series = create(world, world.operator_a)
    with scopes_disabled():
        first, second = Event.objects.filter(series=series).order_by("starts_at")[:2]
    page_url = f"/n/{world.net_a.slug}/events/series/{series.pk}/"
    alumni, employee = world.client(world.alumni_a), world.client(world.employee_a)
    alumni.post(f"/n/{world.net_a.slug}/events/{first.pk}/present/", {"action": "take"})
    taken = employee.post(
        f"/n/{world.net_a.slug}/events/{first.pk}/present/", {"action": "take"}, follow=True
    )
    assert "すでに" in taken.content.decode()
    employee.post(f"/n/{world.net_a.slug}/events/{second.pk}/present/", {"action": "take"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.presenter == world.alumni_a.user and second.presenter == world.employee_a.user
    page = world.client(world.supporter_a).get(page_url).content.decode()
    assert "次回：田中 花子" in page
    # Giving a date back frees it; only the presenter can.
    employee.post(f"/n/{world.net_a.slug}/events/{first.pk}/present/", {"action": "withdraw"})
    first.refresh_from_db()
    assert first.presenter == world.alumni_a.user
    alumni.post(f"/n/{world.net_a.slug}/events/{first.pk}/present/", {"action": "withdraw"})
    first.refresh_from_db()
    assert first.presenter is None


@pytest.mark.django_db
def test_past_dates_cannot_be_taken_and_show_their_recording(world: World) -> None:
    series = create(world, world.operator_a)
    past = make_event(
        world.net_a,
        title="第0回 自己紹介",
        starts_at=timezone.now() - timedelta(days=7),
        recording_url="https://video.example.jp/rec-0",
    )
    with scopes_disabled():
        past.series = series
        past.save()
    client = world.client(world.alumni_a)
    client.post(f"/n/{world.net_a.slug}/events/{past.pk}/present/", {"action": "take"})
    past.refresh_from_db()
    assert past.presenter is None
    page = client.get(f"/n/{world.net_a.slug}/events/series/{series.pk}/").content.decode()
    assert "https://video.example.jp/rec-0" in page


@pytest.mark.django_db
def test_alumni_cannot_create_a_series_and_other_networks_get_404(world: World) -> None:
    response = world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/events/series/new/", series_data()
    )
    assert response.status_code == 403
    series = create(world, world.supporter_a)
    client = world.client(world.alumni_b)
    assert client.get(f"/n/{world.net_b.slug}/events/series/{series.pk}/").status_code == 404
