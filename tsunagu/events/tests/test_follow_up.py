"""After the event: the follow-up notification, the report with photos. Feedback is the
event's survey (tsunagu/surveys/tests/test_event_feedback.py)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from tsunagu.events.models import Photo, Registration
from tsunagu.events.tasks import send_event_follow_ups
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.testing.world import World


def register(event, member, status: str) -> None:
    with scopes_disabled():
        Registration.objects.create(
            network=event.network, event=event, user=member.user, status=status
        )


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "orange").save(buffer, "PNG")
    return SimpleUploadedFile("集合写真.png", buffer.getvalue(), content_type="image/png")


def ended(world: World, **fields):
    return make_event(world.net_a, starts_at=timezone.now() - timedelta(hours=5), **fields)


@pytest.mark.django_db
def test_follow_up_thanks_participants_once_and_not_those_who_did_not_come(
    world: World, settings, tmp_path
) -> None:
    event = ended(world, title="秋の交流会")
    register(event, world.alumni_a, "attended")
    register(event, world.employee_a, "no_show")
    register(event, world.supporter_a, "confirmed")  # nobody checked them in
    make_event(world.net_a, starts_at=timezone.now() - timedelta(days=30))  # long over: skipped
    assert send_event_follow_ups() == 2
    assert send_event_follow_ups() == 0
    with scopes_disabled():
        notes = Notification.objects.filter(kind="event_follow_up")
        assert sorted(n.recipient_id for n in notes) == sorted(
            [world.alumni_a.user_id, world.supporter_a.user_id]
        )
        assert "秋の交流会" in notes[0].message
    # The follow-up leads to the event's feedback survey.
    from tsunagu.surveys.models import Survey

    with scopes_disabled():
        survey = Survey.objects.get(event=event, is_event_feedback=True)
    assert notes[0].url == f"/n/{world.net_a.slug}/surveys/{survey.pk}/"


@pytest.mark.django_db
def test_organiser_posts_a_report_with_a_photo_that_participants_see(
    world: World, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    event = ended(world)
    register(event, world.alumni_a, "attended")
    report_url = f"/n/{world.net_a.slug}/events/{event.pk}/report/"
    assert world.client(world.alumni_a).get(report_url).status_code == 403
    operator = world.client(world.operator_a)
    response = operator.post(
        report_url, {"report": "**30人**が参加しました", "photo": png(), "caption": "集合写真"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Photo.objects.filter(event=event).count() == 1
    page = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/events/{event.pk}/")
    body = page.content.decode()
    assert "<strong>30人</strong>が参加しました" in body and "集合写真" in body


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_as_a_photo(
    world: World, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    event = ended(world)
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/events/{event.pk}/report/", {"report": "報告", "photo": fake}
    )
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    with scopes_disabled():
        assert not Photo.objects.exists()
        event.refresh_from_db()
    assert event.report == ""  # nothing half-saved


@pytest.mark.django_db
def test_follow_up_command_reports_how_many_were_thanked(world: World) -> None:
    from django.core.management import call_command

    event = ended(world)
    register(event, world.alumni_a, "attended")
    out = io.StringIO()
    call_command("send_event_follow_ups", stdout=out)
    assert out.getvalue().startswith("1 ")
