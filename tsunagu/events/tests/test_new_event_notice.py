"""A new event reaches the members who may see it, in the app (and by e-mail for those who
asked), and nobody else: not the alumni for an employees-only event, not another network."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_members, make_user
from tsunagu.events.models import Event
from tsunagu.notify.actions import do_set_email_preference
from tsunagu.notify.models import Notification, NotificationPreference
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

from .test_pages import event_data, local
from .test_series import series_data

pytestmark = pytest.mark.django_db

# Only those an employees-only event is for may ever read this.
EMPLOYEES_CANARY = "社員限定カナリア-5d2a"


def create(world: World, member: Any, **fields: Any) -> Event:
    response = world.client(member).post(f"/n/{world.net_a.slug}/events/new/", event_data(**fields))
    assert response.status_code == 302, response.context["form"].errors
    with scopes_disabled():
        return Event.objects.filter(network=world.net_a).latest("pk")


def told(kind: str = "event_new") -> list[tuple[int, int]]:
    """(network, recipient) of each notification of ``kind``, in the app or by e-mail only."""
    with scopes_disabled():
        return sorted(
            Notification.objects.filter(kind=kind).values_list("network_id", "recipient_id")
        )


def test_a_new_event_reaches_every_member_in_the_app_and_nobody_by_email(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = create(world, world.operator_a, title="新春 総会 2027")
    a = world.net_a.pk
    assert told() == sorted(
        (a, m.user_id) for m in (world.supporter_a, world.employee_a, world.alumni_a)
    )
    assert mail.outbox == []  # in the app by default; the digest brings it by mail
    page = world.client(world.alumni_a).get("/n/mitsuba-a/notifications/").content.decode()
    assert "新春 総会 2027" in page
    with scopes_disabled():
        [notice] = Notification.objects.filter(recipient=world.alumni_a.user, kind="event_new")
    assert notice.url == event.get_absolute_url()


def test_an_employees_only_event_never_reaches_the_alumni(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with scope(network=world.net_a):
        for member in (world.alumni_a, world.supporter_a, world.employee_a):
            do_set_email_preference(world.net_a, member.user, "event_new", True)
    with django_capture_on_commit_callbacks(execute=True):
        create(world, world.operator_a, title=f"勉強会 {EMPLOYEES_CANARY}", audience="employees")
    assert told() == [(world.net_a.pk, world.employee_a.user_id)]
    assert [m.to for m in mail.outbox] == [[world.employee_a.user.email]]
    for member in (world.alumni_a, world.supporter_a):
        client = world.client(member)
        for path in ("/n/mitsuba-a/", "/n/mitsuba-a/notifications/"):
            assert EMPLOYEES_CANARY not in client.get(path).content.decode()


def test_another_networks_members_are_never_told(world: World) -> None:
    both = make_user(name="両方 所属")
    make_member(world.net_a, both)
    make_member(world.net_b, both)
    create(world, world.operator_a)
    assert all(network == world.net_a.pk for network, _ in told())
    outsiders = {m.user_id for m in (world.operator_b, world.supporter_b, world.alumni_b)}
    assert not outsiders & {recipient for _, recipient in told()}
    assert (world.net_a.pk, both.pk) in told()
    nothing = world.client(world.alumni_b).get("/n/hidamari-b/notifications/").content.decode()
    assert "新春 総会 2027" not in nothing


def test_a_supporters_event_reaches_the_operators_and_not_its_organiser(world: World) -> None:
    create(world, world.supporter_a, audience="alumni")
    assert {recipient for _, recipient in told()} == {
        world.operator_a.user_id,
        world.alumni_a.user_id,
    }


def test_opening_an_employees_event_to_everyone_tells_those_it_now_admits_once(
    world: World,
) -> None:
    event = create(world, world.operator_a, title="社内見学会", audience="employees")
    assert {recipient for _, recipient in told()} == {world.employee_a.user_id}
    edit = world.client(world.operator_a).post(
        f"/n/mitsuba-a/events/{event.pk}/edit/",
        event_data(
            title="社内見学会",
            audience="all",
            starts_at=local(event.starts_at),
            ends_at=local(event.ends_at),
        ),
    )
    assert edit.status_code == 302
    assert sorted(recipient for _, recipient in told()) == sorted(
        [world.employee_a.user_id, world.alumni_a.user_id, world.supporter_a.user_id]
    )
    # Narrowing it again tells nobody anything.
    world.client(world.operator_a).post(
        f"/n/mitsuba-a/events/{event.pk}/edit/",
        event_data(
            title="社内見学会",
            audience="alumni",
            starts_at=local(event.starts_at),
            ends_at=local(event.ends_at),
        ),
    )
    assert len(told()) == 3


def test_a_series_is_announced_once_at_its_first_date(world: World) -> None:
    response = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/events/series/new/", series_data(occurrences="6")
    )
    assert response.status_code == 302
    assert len(told()) == 3  # supporter, employee, alumna: once each
    with scopes_disabled():
        first = Event.objects.filter(network=world.net_a).order_by("starts_at").first()
        urls = set(Notification.objects.filter(kind="event_new").values_list("url", flat=True))
    assert urls == {first.get_absolute_url()}  # type: ignore[union-attr]


def test_an_event_entered_after_it_took_place_is_news_to_nobody(world: World) -> None:
    starts = timezone.now() - timedelta(days=3)
    create(
        world,
        world.operator_a,
        starts_at=local(starts),
        ends_at=local(starts + timedelta(hours=2)),
        deadline="",
    )
    assert told() == []


def test_a_member_who_turned_new_events_off_in_the_app_is_not_told(world: World) -> None:
    with scope(network=world.net_a):
        NotificationPreference.objects.create(
            network=world.net_a, user=world.alumni_a.user, kind="event_new", inapp=False
        )
    create(world, world.operator_a)
    assert world.alumni_a.user_id not in {recipient for _, recipient in told()}
    assert world.employee_a.user_id in {recipient for _, recipient in told()}


def test_a_new_event_for_many_members_costs_the_same_queries_as_for_a_few(world: World) -> None:
    """Members and their choices are read in one query whatever their number; only the rows'
    INSERTs grow, each carrying many rows (500 on PostgreSQL; SQLite's limit of 999 parameters
    a statement allows about 70)."""
    create(world, world.operator_a, title="準備")  # caches warm, as on a running site
    make_members(world.net_a, 30)
    with CaptureQueriesContext(connection) as few:
        create(world, world.operator_a, title="三十人")
    crowd = make_members(world.net_a, 270)
    make_members(world.net_a, 20, role=Role.EMPLOYEE)
    with scope(network=world.net_a):
        for member in crowd[:40]:  # some want new events by e-mail
            do_set_email_preference(world.net_a, member.user, "event_new", True)
    with CaptureQueriesContext(connection) as many:
        create(world, world.operator_a, title="三百人")
    inserts = [q for q in many if q["sql"].startswith('INSERT INTO "notify_notification"')]
    assert len(many) - len(inserts) == len(few) - 1  # the few took one INSERT
    told_many = 3 + 30 + 290
    assert len(inserts) <= told_many // 60 + 1
    with scopes_disabled():
        assert Notification.objects.filter(params__title="三百人").count() == told_many
