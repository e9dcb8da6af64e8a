"""The event feedback form is a survey of the event's participants; feedback given before it
existed is moved into such surveys by a data migration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.events.models import Feedback, Registration
from tsunagu.events.tasks import send_event_follow_ups
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.surveys.actions import own_response
from tsunagu.surveys.models import Answer, Participation, Question, Response, Survey
from tsunagu.testing.world import World


def ended_event(world: World, **fields):
    return make_event(world.net_a, starts_at=timezone.now() - timedelta(hours=5), **fields)


def register(event, member, status: str) -> None:
    with scopes_disabled():
        Registration.objects.create(
            network=event.network, event=event, user=member.user, status=status
        )


@pytest.mark.django_db
def test_participants_rate_the_event_through_its_survey_from_the_follow_up(world: World) -> None:
    event = ended_event(world, title="秋の交流会")
    register(event, world.alumni_a, "attended")
    register(event, world.employee_a, "no_show")
    send_event_follow_ups()
    with scopes_disabled():
        note = Notification.objects.get(kind="event_follow_up")
        survey = Survey.objects.get(event=event)
        rating, comment = Question.objects.filter(survey=survey).order_by("position")
    assert survey.is_event_feedback and survey.audience == "event" and survey.is_open
    client = world.client(world.alumni_a)
    page = client.get(note.url).content.decode()
    assert "<legend>いかがでしたか？" in page and "1（不満）〜5（大変満足）" in page
    response = client.post(note.url, {f"q{rating.pk}": "5", f"q{comment.pk}": "また参加したいです"})
    assert response.status_code == 302
    # The event page leads participants there; those who did not come are not asked.
    detail = client.get(f"/n/{world.net_a.slug}/events/{event.pk}/").content.decode()
    assert 'id="feedback"' in detail
    absent = world.client(world.employee_a)
    assert (
        'id="feedback"'
        not in absent.get(f"/n/{world.net_a.slug}/events/{event.pk}/").content.decode()
    )
    assert absent.get(note.url).status_code == 404
    # The organisers read it in the survey's results, linked from the report page.
    report = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/events/{event.pk}/report/")
    assert f"/surveys/{survey.pk}/results/" in report.content.decode()
    results = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/surveys/{survey.pk}/results/"
    )
    assert "また参加したいです" in results.content.decode()


@pytest.mark.django_db
def test_the_old_feedback_address_leads_to_the_survey_and_refuses_the_others(world: World) -> None:
    event = ended_event(world)
    register(event, world.alumni_a, "confirmed")
    upcoming = make_event(world.net_a)
    register(upcoming, world.employee_a, "confirmed")
    response = world.client(world.alumni_a).get(
        f"/n/{world.net_a.slug}/events/{event.pk}/feedback/"
    )
    with scopes_disabled():
        survey = Survey.objects.get(event=event)
    assert response["Location"] == f"/n/{world.net_a.slug}/surveys/{survey.pk}/"
    refused = world.client(world.employee_a).post(
        f"/n/{world.net_a.slug}/events/{upcoming.pk}/feedback/", {"rating": "9"}
    )
    assert refused.status_code == 302 and refused["Location"].endswith(f"/events/{upcoming.pk}/")
    with scopes_disabled():
        assert not Survey.objects.filter(event=upcoming).exists()


@pytest.mark.django_db
def test_existing_feedback_is_moved_into_the_events_survey(world: World) -> None:
    import importlib

    event = ended_event(world, title="新年会")
    with scopes_disabled():
        Feedback.objects.create(
            network=world.net_a,
            event=event,
            user=world.alumni_a.user,
            rating=4,
            comment="楽しかった",
        )
        Feedback.objects.create(
            network=world.net_a, event=event, user=world.employee_a.user, rating=2
        )
        register(event, world.alumni_a, "attended")
    migration = importlib.import_module("tsunagu.surveys.migrations.0002_event_feedback")
    with scopes_disabled():
        migration.forwards(django_apps, None)
        migration.forwards(django_apps, None)  # a second run adds nothing
        survey = Survey.objects.get(event=event)
        assert survey.is_event_feedback and survey.anonymity == "named"
        assert Participation.objects.filter(survey=survey).count() == 2
        numbers = sorted(
            Answer.objects.filter(survey=survey, number__isnull=False).values_list(
                "number", flat=True
            )
        )
        assert numbers == [2, 4]
        assert list(
            Answer.objects.filter(survey=survey).exclude(text="").values_list("text", flat=True)
        ) == ["楽しかった"]
        mine = Response.objects.get(survey=survey, user=world.alumni_a.user)
    # The member finds their migrated answer as their own.
    with scopes_disabled():
        assert own_response(world.alumni_a, survey) == mine
    results = (
        world.client(world.operator_a)
        .get(f"/n/{world.net_a.slug}/surveys/{survey.pk}/results/")
        .content.decode()
    )
    assert "楽しかった" in results and "回答2件" in results
