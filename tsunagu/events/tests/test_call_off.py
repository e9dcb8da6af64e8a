"""Organisers call an event off: applicants are told, nobody can apply, calendars strike it."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from icalendar import Calendar

from tsunagu.events.models import Event, Registration
from tsunagu.events.tasks import send_event_reminders
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.testing.world import World


@pytest.mark.django_db
def test_an_operator_calls_an_event_off_and_its_applicants_are_told(
    world: World, mailoutbox
) -> None:
    event = make_event(world.net_a, title="夏のBBQ")
    base = f"/n/{world.net_a.slug}/events/{event.pk}/"
    assert world.client(world.alumni_a).post(f"{base}register/").status_code == 302
    # Members who do not run the event cannot call it off.
    assert world.client(world.employee_a).post(f"{base}call-off/").status_code == 403

    operator = world.client(world.operator_a)
    response = operator.post(f"{base}call-off/", {"reason": "台風の接近のため中止します。"})
    assert response.status_code == 302
    with scopes_disabled():
        event.refresh_from_db()
        [told] = Notification.objects.filter(kind="event_called_off")
    assert event.called_off_at is not None
    assert told.recipient_id == world.alumni_a.user_id and "夏のBBQ" in told.message

    page = world.client(world.employee_a).get(base).content.decode()
    assert "中止になりました" in page and "台風の接近" in page
    assert world.client(world.employee_a).post(f"{base}register/").status_code == 302
    with scopes_disabled():
        assert not Registration.objects.filter(event=event, user=world.employee_a.user).exists()
    listing = world.client(world.employee_a).get(f"/n/{world.net_a.slug}/events/").content.decode()
    assert "中止" in listing

    ics = Calendar.from_ical(world.client(world.alumni_a).get(f"{base}event.ics").content)
    [item] = ics.walk("VEVENT")
    assert str(item["STATUS"]) == "CANCELLED"
    assert operator.post(f"{base}call-off/").status_code == 302  # twice: a message, no error


@pytest.mark.django_db
def test_no_reminder_is_sent_for_a_called_off_event(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    event = make_event(world.net_a, starts_at=timezone.now() + timedelta(hours=20))
    world.client(world.alumni_a).post(f"/n/{world.net_a.slug}/events/{event.pk}/register/")
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(called_off_at=timezone.now())
    assert send_event_reminders() == 0
