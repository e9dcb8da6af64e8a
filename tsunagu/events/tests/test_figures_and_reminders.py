"""Operator figures (attendance, no-shows, repeat rate, CSV) and the reminder task."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.figures import event_figures
from tsunagu.events.models import Registration
from tsunagu.events.tasks import send_event_reminders
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.testing.world import World


def register(event, member, status: str) -> None:
    with scopes_disabled():
        Registration.objects.create(
            network=event.network, event=event, user=member.user, status=status
        )


@pytest.fixture
def history(world: World) -> tuple:
    """Two past events: A and B came to the first; B and C came to the second, D did not."""
    now = timezone.now()
    first = make_event(world.net_a, title="第1回 交流会", starts_at=now - timedelta(days=60))
    second = make_event(world.net_a, title="第2回 交流会", starts_at=now - timedelta(days=30))
    a, b, c, d = (make_member(world.net_a, make_user(name=f"会員 {x}")) for x in "ABCD")
    register(first, a, "attended")
    register(first, b, "attended")
    register(second, b, "attended")
    register(second, c, "attended")
    register(second, d, "no_show")
    register(second, a, "cancelled")
    return first, second


@pytest.mark.django_db
def test_repeat_rate_is_the_share_of_attendees_who_came_before(world: World, history) -> None:
    first, second = history
    with scope(network=world.net_a):
        one, two = event_figures(world.net_a, [first, second])
    assert (one.attended, one.repeaters, one.repeat_rate) == (2, 0, 0.0)
    assert (two.registrations, two.attended, two.no_shows) == (3, 2, 1)
    assert two.repeat_rate == 0.5  # B came before; C is new


@pytest.mark.django_db
def test_operators_see_figures_and_download_csv(world: World, history) -> None:
    client = world.client(world.operator_a)
    page = client.get(f"/n/{world.net_a.slug}/events/figures/")
    assert page.status_code == 200
    assert "第2回 交流会" in page.content.decode() and "50%" in page.content.decode()
    response = client.get(f"/n/{world.net_a.slug}/events/figures.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "イベント"
    assert rows[2][0] == "第2回 交流会" and rows[2][-1] == "0.50"
    alumni = world.client(world.alumni_a)
    assert alumni.get(f"/n/{world.net_a.slug}/events/figures/").status_code == 403
    assert alumni.get(f"/n/{world.net_a.slug}/events/figures.csv").status_code == 403


@pytest.mark.django_db
def test_figures_by_month_add_up_the_events_of_each_month(world: World) -> None:
    from datetime import datetime

    tokyo = timezone.get_current_timezone()
    events = [
        make_event(
            world.net_a, title=f"会{i}", starts_at=datetime(2025, month, day, 19, tzinfo=tokyo)
        )
        for i, (month, day) in enumerate([(9, 1), (9, 20), (10, 5)])
    ]
    a, b = (make_member(world.net_a, make_user(name=f"会員 {x}")) for x in "AB")
    register(events[0], a, "attended")
    register(events[1], a, "attended")
    register(events[1], b, "no_show")
    register(events[2], b, "attended")
    response = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/events/figures.csv", {"by": "month"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [
        ["2025-10", "1", "1", "1", "0", "0.00"],
        ["2025-09", "2", "3", "2", "1", "0.50"],
    ]
    page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/events/figures/")
    assert "2025-09" in page.content.decode()


@pytest.mark.django_db
def test_csv_does_not_let_a_title_run_as_a_formula(world: World) -> None:
    make_event(
        world.net_a,
        title='=HYPERLINK("http://evil.example")',
        starts_at=timezone.now() - timedelta(days=1),
    )
    response = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/events/figures.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=")


@pytest.mark.django_db
def test_reminders_go_once_to_confirmed_participants_the_day_before(
    world: World, django_capture_on_commit_callbacks
) -> None:
    soon = make_event(
        world.net_a, title="明日の朝活", starts_at=timezone.now() + timedelta(hours=20)
    )
    later = make_event(
        world.net_a, title="来月の総会", starts_at=timezone.now() + timedelta(days=30)
    )
    register(soon, world.alumni_a, "confirmed")
    register(soon, world.employee_a, "waitlisted")
    register(later, world.alumni_a, "confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_event_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_event_reminders() == 0  # already reminded
    with scopes_disabled():
        notes = list(Notification.objects.filter(kind="event_reminder"))
    assert [n.recipient_id for n in notes] == [world.alumni_a.user_id]
    assert "明日の朝活" in notes[0].message
    assert len(mail.outbox) == 1
    assert "明日の朝活" in mail.outbox[0].subject
    assert mail.outbox[0].to == [world.alumni_a.user.email]


@pytest.mark.django_db
def test_reminder_task_is_scheduled_by_beat(settings) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(e["task"] == "tsunagu.events.tasks.send_event_reminders" for e in schedule.values())


@pytest.mark.django_db
def test_demo_data_has_events_with_attendance_for_the_figures() -> None:
    from django.core.management import call_command
    from django.test import Client

    call_command("seed_demo", members=8, past_events=6)
    operator = Client()
    assert operator.login(email="operator@example.com", password="tsunagu-demo")
    assert "アルムナイ総会" in operator.get("/n/mitsuba/events/").content.decode()
    figures = operator.get("/n/mitsuba/events/figures/").content.decode()
    assert "第1回" in figures and "第6回" in figures
    with scopes_disabled():
        assert Registration.objects.filter(status="attended").exists()


@pytest.mark.django_db
def test_reminder_command_reports_how_many_were_reminded(world: World) -> None:
    from django.core.management import call_command

    event = make_event(world.net_a, starts_at=timezone.now() + timedelta(hours=3))
    register(event, world.alumni_a, "confirmed")
    out = io.StringIO()
    call_command("send_event_reminders", stdout=out)
    assert out.getvalue().startswith("1 ")
