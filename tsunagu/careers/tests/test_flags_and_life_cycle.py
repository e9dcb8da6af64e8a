""" "Open to" flags with their audiences, matching notifications, deadlines and reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.careers.actions import FlagChoice, do_set_flags
from tsunagu.careers.models import OpenTo, Opportunity, Recruiter
from tsunagu.careers.tasks import close_due_opportunities, remind_posters
from tsunagu.notify.models import Notification
from tsunagu.testing.world import World

from .helpers import answer, make_opportunity, notified, reload, url

pytestmark = pytest.mark.django_db


def set_flags(member: Any, **flags: str | None) -> None:
    with scope(network=member.network):
        do_set_flags(member, [FlagChoice(flag, audience) for flag, audience in flags.items()])


def test_a_member_sets_flags_and_audiences_on_their_page(world: World) -> None:
    client = world.client(world.alumni_a)
    assert client.get(url(world, "open-to/")).status_code == 200
    response = client.post(
        url(world, "open-to/"),
        {"side_job": "recruiters", "outsourcing": "", "comeback": "operators", "speaking": "me"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        flags = dict(
            OpenTo.objects.filter(membership=world.alumni_a).values_list("flag", "audience")
        )
    assert flags == {"side_job": "recruiters", "comeback": "operators", "speaking": "me"}
    client.post(url(world, "open-to/"), {"side_job": "", "comeback": "operators"})
    with scopes_disabled():
        assert set(
            OpenTo.objects.filter(membership=world.alumni_a).values_list("flag", flat=True)
        ) == {"comeback"}
    bad = client.post(url(world, "open-to/"), {"side_job": "everyone"})
    assert bad.status_code == 400


def test_operators_mark_only_employees_as_recruiters(world: World) -> None:
    operator = world.client(world.operator_a)
    response = operator.post(url(world, f"manage/recruiters/{world.employee_a.pk}/"), {"on": "1"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Recruiter.objects.filter(membership=world.employee_a).exists()
    refused = operator.post(url(world, f"manage/recruiters/{world.alumni_a.pk}/"), {"on": "1"})
    assert refused.status_code == 409
    assert (
        world.client(world.employee_a)
        .post(url(world, f"manage/recruiters/{world.employee_a.pk}/"), {"on": "0"})
        .status_code
        == 403
    )


def test_members_whose_flags_fit_hear_of_new_opportunities_in_the_app_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    set_flags(world.alumni_a, side_job="me")
    set_flags(world.supporter_a, outsourcing="recruiters")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_opportunity(world.employee_a, kind="side_job", title="週末のデータ分析")
    assert notified("careers_match") == {world.alumni_a.user_id}
    assert mail.outbox == []  # no mail for each posting
    # An employees-only posting does not reach alumni, whatever their flags.
    with scopes_disabled():
        Notification.objects.all().delete()
    make_opportunity(world.employee_a, kind="side_job", audience="employees")
    assert notified("careers_match") == set()


def test_an_approved_member_posting_is_announced_once(world: World) -> None:
    set_flags(world.supporter_a, outsourcing="me")
    opportunity = make_opportunity(world.alumni_a, kind="outsourcing")
    assert notified("careers_match") == set()  # still waiting for approval
    operator = world.client(world.operator_a)
    operator.post(url(world, f"{opportunity.pk}/review/"), {"decision": "approve"})
    assert notified("careers_match") == {world.supporter_a.user_id}


def test_the_deadline_closes_the_opportunity(world: World) -> None:
    opportunity = make_opportunity(world.employee_a, deadline=timezone.localdate())
    answer(world.alumni_a, opportunity)
    assert close_due_opportunities() == 0  # open until the end of its deadline day
    with scopes_disabled():
        Opportunity.objects.filter(pk=opportunity.pk).update(
            deadline=timezone.localdate() - timedelta(days=1)
        )
    # Even before the beat task runs, nobody new can find it.
    assert world.client(world.supporter_a).get(url(world, f"{opportunity.pk}/")).status_code == 404
    assert close_due_opportunities() == 1
    assert reload(opportunity).closed_at is not None
    assert close_due_opportunities() == 0
    assert opportunity.title not in world.client(world.supporter_a).get(url(world)).content.decode()
    assert world.client(world.alumni_a).get(url(world, f"{opportunity.pk}/")).status_code == 200


def test_the_poster_is_reminded_three_days_before_the_deadline_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    soon = make_opportunity(world.employee_a, title="締切間近", deadline=today + timedelta(days=3))
    make_opportunity(world.employee_a, title="まだ先", deadline=today + timedelta(days=4))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_posters() == 1
    assert notified("careers_deadline") == {world.employee_a.user_id}
    assert [m.to for m in mail.outbox] == [[world.employee_a.user.email]]
    assert "締切間近" in mail.outbox[0].body
    assert remind_posters() == 0
    assert reload(soon).reminded_at is not None
