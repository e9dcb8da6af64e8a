"""Applying, the waiting list, approval mode, cancellation and check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events import actions
from tsunagu.events.models import Audience, Registration, RegistrationStatus
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.testing.world import World

S = RegistrationStatus


def members(world: World, n: int) -> list:
    return [make_member(world.net_a, make_user(name=f"参加者 {i}番")) for i in range(n)]


def status_of(event, member) -> str:
    with scopes_disabled():
        return Registration.objects.get(event=event, user=member.user).status


@pytest.mark.django_db
def test_first_come_until_capacity_then_waitlist(world: World) -> None:
    event = make_event(world.net_a, capacity=2)
    a, b, c = members(world, 3)
    with scope(network=world.net_a):
        assert actions.do_register(a, event).status == S.CONFIRMED
        assert actions.do_register(b, event).status == S.CONFIRMED
        assert actions.do_register(c, event).status == S.WAITLISTED
        assert actions.seats_taken(event) == 2


@pytest.mark.django_db
def test_waitlisted_member_is_promoted_and_notified_when_a_seat_frees(world: World) -> None:
    event = make_event(world.net_a, title="自己紹介リレー", capacity=1)
    a, b, c = members(world, 3)
    with scope(network=world.net_a):
        actions.do_register(a, event)
        actions.do_register(b, event)
        actions.do_register(c, event)
        actions.do_cancel_registration(a, event)
        assert status_of(event, b) == S.CONFIRMED  # the first in line, not the last
        assert status_of(event, c) == S.WAITLISTED
        note = Notification.objects.get(recipient=b.user, kind="event_confirmed")
        assert "自己紹介リレー" in note.message
        assert not Notification.objects.filter(recipient=c.user, kind="event_confirmed").exists()


@pytest.mark.django_db
def test_full_event_without_waitlist_refuses_and_saves_nothing(world: World) -> None:
    event = make_event(world.net_a, capacity=1, waitlist=False)
    a, b = members(world, 2)
    with scope(network=world.net_a):
        actions.do_register(a, event)
        with pytest.raises(ValidationError, match="満席"):
            actions.do_register(b, event)
        assert not Registration.objects.filter(event=event, user=b.user).exists()


@pytest.mark.django_db
def test_applying_twice_is_refused(world: World) -> None:
    event = make_event(world.net_a)
    with scope(network=world.net_a):
        actions.do_register(world.alumni_a, event)
        with pytest.raises(ValidationError, match="すでに申し込んで"):
            actions.do_register(world.alumni_a, event)
        assert Registration.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_applying_after_the_deadline_is_refused(world: World) -> None:
    event = make_event(world.net_a, deadline=timezone.now() - timedelta(minutes=1))
    with scope(network=world.net_a), pytest.raises(ValidationError, match="締め切られました"):
        actions.do_register(world.alumni_a, event)


@pytest.mark.django_db
def test_cancelled_member_may_apply_again_and_goes_to_the_back_of_the_line(world: World) -> None:
    event = make_event(world.net_a, capacity=1)
    a, b = members(world, 2)
    with scope(network=world.net_a):
        actions.do_register(a, event)
        actions.do_cancel_registration(a, event)
        actions.do_register(b, event)
        assert actions.do_register(a, event).status == S.WAITLISTED


@pytest.mark.django_db
def test_cancellation_closes_at_the_cut_off(world: World) -> None:
    event = make_event(world.net_a, cancel_until=timezone.now() - timedelta(hours=1))
    with scope(network=world.net_a):
        actions.do_register(world.alumni_a, event)
        with pytest.raises(ValidationError, match="キャンセル期限"):
            actions.do_cancel_registration(world.alumni_a, event)
        assert status_of(event, world.alumni_a) == S.CONFIRMED


@pytest.mark.django_db
def test_approval_mode_holds_applications_until_an_organiser_approves(world: World) -> None:
    event = make_event(world.net_a, capacity=1, needs_approval=True)
    a, b = members(world, 2)
    with scope(network=world.net_a):
        ra = actions.do_register(a, event, [{"question": "所属", "answer": "営業部"}])
        rb = actions.do_register(b, event)
        assert ra.status == rb.status == S.PENDING
        assert actions.seats_taken(event) == 0
        # The operators (the event names no organisers) are asked to approve.
        asks = Notification.objects.filter(
            kind="event_application", recipient=world.operator_a.user
        )
        assert asks.count() == 2
        assert "参加者 0番" in asks.last().message
        with pytest.raises(PermissionDenied):
            actions.do_update_registration(world.alumni_a, event, ra, "approve")
        actions.do_update_registration(world.operator_a, event, ra, "approve")
        assert status_of(event, a) == S.CONFIRMED
        assert Notification.objects.filter(recipient=a.user, kind="event_confirmed").exists()
        # Full now: the next approval puts the applicant on the waiting list.
        actions.do_update_registration(world.operator_a, event, rb, "approve")
        assert status_of(event, b) == S.WAITLISTED


@pytest.mark.django_db
def test_check_in_records_attendance_and_no_shows(world: World) -> None:
    event = make_event(world.net_a)
    a, b = members(world, 2)
    with scope(network=world.net_a):
        ra = actions.do_register(a, event)
        rb = actions.do_register(b, event)
        actions.do_update_registration(world.operator_a, event, ra, "attended")
        actions.do_update_registration(world.operator_a, event, rb, "no_show")
        assert status_of(event, a) == S.ATTENDED
        assert status_of(event, b) == S.NO_SHOW
        with pytest.raises(ValidationError):
            actions.do_update_registration(world.operator_a, event, ra, "approve")


@pytest.mark.django_db
def test_raising_the_capacity_promotes_the_waiting_list(world: World) -> None:
    from tsunagu.events.access import organiser_candidates
    from tsunagu.events.forms import EventForm

    event = make_event(world.net_a, capacity=1)
    a, b = members(world, 2)
    with scope(network=world.net_a):
        actions.do_register(a, event)
        actions.do_register(b, event)
        data = {
            "title": event.title,
            "category": event.category,
            "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "venue": event.venue,
            "fee": 0,
            "capacity": 2,
            "waitlist": "on",
            "audience": "all",
        }
        form = EventForm(
            data, instance=event, candidates=organiser_candidates(world.operator_a), seats_taken=1
        )
        assert form.is_valid(), form.errors
        actions.do_update_event(world.operator_a, form)
        assert status_of(event, b) == S.CONFIRMED


@pytest.mark.django_db
def test_audience_limits_who_may_apply(world: World) -> None:
    event = make_event(world.net_a, audience=Audience.EMPLOYEES)
    with scope(network=world.net_a):
        with pytest.raises(PermissionDenied):
            actions.do_register(world.alumni_a, event)
        assert actions.do_register(world.employee_a, event).status == S.CONFIRMED
