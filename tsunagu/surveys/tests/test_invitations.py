"""Who a survey asks, the invitation when it opens and the one reminder three days before it
closes, only to those who have not answered."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.models import Registration
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.profiles.actions import profile_of
from tsunagu.surveys.audience import audience_members
from tsunagu.surveys.models import Kind, Survey
from tsunagu.surveys.tasks import send_survey_invitations, send_survey_reminders
from tsunagu.surveys.tests.helpers import add_question, make_survey
from tsunagu.tenancy.models import Role, Status
from tsunagu.testing.world import World


def leaver(world: World, name: str, left: int | None, department: str = "", **kw):
    member = make_member(world.net_a, make_user(name=name), **kw)
    with scopes_disabled():
        profile = profile_of(member)
        profile.left_on = datetime.date(left, 3, 31) if left else None
        profile.last_department = department
        profile.save()
    return member


def notified(kind: str) -> set[int]:
    with scopes_disabled():
        return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


@pytest.mark.django_db
def test_a_segment_is_alumni_who_left_in_the_years_of_the_department(world: World) -> None:
    in_range = leaver(world, "2019年退職", 2019, "第一営業部")
    last_year = leaver(world, "2024年退職", 2024, "人事部")
    too_early = leaver(world, "2018年退職", 2018, "第一営業部")
    too_late = leaver(world, "2025年退職", 2025, "営業部")
    unknown = leaver(world, "退職年不明", None)
    employee = leaver(world, "社員", 2020, "営業部", role=Role.EMPLOYEE)
    gone = leaver(world, "退会済み", 2020, "営業部", status=Status.LEFT)
    survey = make_survey(world.net_a, audience="segment", left_from=2019, left_to=2024)
    with scopes_disabled():
        asked = set(audience_members(survey).values_list("pk", flat=True))
    assert asked == {in_range.pk, last_year.pk}
    assert not asked & {too_early.pk, too_late.pk, unknown.pk, employee.pk, gone.pk}
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(department="営業")
        survey.refresh_from_db()
        assert set(audience_members(survey).values_list("pk", flat=True)) == {in_range.pk}
    # The same rule decides who may open it.
    client = world.client
    assert client(in_range).get(f"/n/{world.net_a.slug}/surveys/{survey.pk}/").status_code == 200
    assert client(last_year).get(f"/n/{world.net_a.slug}/surveys/{survey.pk}/").status_code == 404
    assert client(too_late).get(f"/n/{world.net_a.slug}/surveys/{survey.pk}/").status_code == 404


@pytest.mark.django_db
def test_participants_of_an_event_are_its_audience(world: World) -> None:
    event = make_event(world.net_a, starts_at=timezone.now() - timedelta(days=1))
    with scopes_disabled():
        Registration.objects.create(
            network=world.net_a, event=event, user=world.alumni_a.user, status="attended"
        )
        Registration.objects.create(
            network=world.net_a, event=event, user=world.employee_a.user, status="cancelled"
        )
    survey = make_survey(world.net_a, audience="event", event=event)
    with scopes_disabled():
        assert list(audience_members(survey)) == [world.alumni_a]


@pytest.mark.django_db
def test_invited_when_it_opens_and_reminded_once_three_days_before_only_if_not_answered(
    world: World,
) -> None:
    now = timezone.now()
    survey = make_survey(
        world.net_a,
        audience="alumni",
        title="満足度調査",
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=10),
    )
    question = add_question(survey, "満足度", Kind.SCALE)
    assert send_survey_invitations() == 0  # not open yet
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(opens_at=now - timedelta(minutes=1))
    assert send_survey_invitations() == 2
    assert send_survey_invitations() == 0  # claimed once
    assert notified("survey_invitation") == {world.alumni_a.user_id, world.supporter_a.user_id}
    with scopes_disabled():
        survey.refresh_from_db()
        assert survey.audience_size == 2
        note = Notification.objects.filter(kind="survey_invitation").first()
    assert (
        "満足度調査" in note.message and note.url == f"/n/{world.net_a.slug}/surveys/{survey.pk}/"
    )
    world.client(world.alumni_a).post(note.url, {f"q{question.pk}": "5"})
    assert send_survey_reminders() == 0  # ten days left
    with scopes_disabled():
        # A week later: the invitation left seven days ago, it closes in under three days.
        Survey.objects.filter(pk=survey.pk).update(
            invited_at=now - timedelta(days=7), closes_at=now + timedelta(days=2, hours=23)
        )
    assert send_survey_reminders() == 1
    assert send_survey_reminders() == 0
    assert notified("survey_reminder") == {world.supporter_a.user_id}


@pytest.mark.django_db
def test_a_survey_open_for_less_than_three_days_is_not_reminded_right_after_the_invitation(
    world: World,
) -> None:
    now = timezone.now()
    short = make_survey(
        world.net_a, audience="alumni", opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=2),
    )  # fmt: skip
    assert send_survey_invitations() == 2
    assert send_survey_reminders() == 0
    assert notified("survey_reminder") == set()
    with scopes_disabled():
        assert Survey.objects.get(pk=short.pk).reminded_at is None


@pytest.mark.django_db
def test_drafts_and_other_networks_are_not_invited(world: World) -> None:
    make_survey(world.net_a, published=False)
    make_survey(world.net_b, audience="alumni")
    assert send_survey_invitations() == 2
    assert notified("survey_invitation") == {world.alumni_b.user_id, world.supporter_b.user_id}
