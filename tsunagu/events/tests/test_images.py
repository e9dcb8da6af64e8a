"""Event covers and report photos are private: served only to members who may see the event."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from tsunagu.core.testing.images import (
    assert_stripped,
    decoding_refused_above,
    photo_with_location,
    png_bomb,
)
from tsunagu.events.models import Audience, Event, Photo
from tsunagu.events.tests.helpers import make_event
from tsunagu.events.tests.test_pages import event_data
from tsunagu.testing.world import World


def png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def url(world: World, event: Event, rest: str) -> str:
    return f"/n/{world.net_a.slug}/events/{event.pk}/{rest}"


@pytest.mark.django_db
def test_a_cover_uploaded_by_an_organiser_is_shown_to_members_only(world: World) -> None:
    event = make_event(world.net_a, title="新年会")
    operator = world.client(world.operator_a)
    upload = SimpleUploadedFile("新年会.png", png(), content_type="image/png")
    response = operator.post(url(world, event, "edit/"), {**event_data(), "cover": upload})
    assert response.status_code == 302, response.context and response.context["form"].errors
    with scopes_disabled():
        event.refresh_from_db()
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / event.cover.name
    assert stored.exists() and "新年会" not in event.cover.name  # a name nobody can guess
    assert not (Path(settings.MEDIA_ROOT) / event.cover.name).exists()

    page = world.client(world.alumni_a).get(url(world, event, "")).content.decode()
    assert f'src="{url(world, event, "cover/")}"' in page
    image = world.client(world.alumni_a).get(url(world, event, "cover/"))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == png()
    assert "private" in image["Cache-Control"]
    for outsider in (
        world.client(world.alumni_b),
        world.client(world.operator_b),
        world.client(None),
    ):
        refused = outsider.get(url(world, event, "cover/"))
        assert refused.status_code in (302, 404) and refused.get("Content-Type") != "image/png"


@pytest.mark.django_db
def test_report_photos_follow_the_events_audience(world: World) -> None:
    event = make_event(world.net_a, title="社員だけの勉強会", audience=Audience.EMPLOYEES)
    with scopes_disabled():
        photo = Photo.objects.create(
            network=world.net_a, event=event, image=ContentFile(png("blue"), name="p.png")
        )
    path = url(world, event, f"photos/{photo.pk}/")
    assert world.client(world.employee_a).get(path).status_code == 200
    assert world.client(world.alumni_a).get(path).status_code == 404  # not in the audience
    assert world.client(world.alumni_b).get(path).status_code in (302, 404)  # another network
    other = make_event(world.net_a, title="別の会")
    wrong = url(world, other, f"photos/{photo.pk}/")
    assert world.client(world.employee_a).get(wrong).status_code == 404  # not this event's


@pytest.mark.django_db
def test_covers_and_photos_stored_as_public_media_move_to_private_storage(world: World) -> None:
    event = make_event(world.net_a, title="旧い会")
    old_cover = default_storage.save("events/covers/旧い会.png", ContentFile(png()))
    old_photo = default_storage.save("events/photos/集合写真.png", ContentFile(png("blue")))
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(cover=old_cover)
        photo = Photo.objects.create(network=world.net_a, event=event, image="")
        Photo.objects.filter(pk=photo.pk).update(image=old_photo)
    migration = importlib.import_module("tsunagu.events.migrations.0004_private_images")
    with scopes_disabled():
        migration.move_to_private_storage(apps, None)
    with scopes_disabled():
        event.refresh_from_db()
        photo.refresh_from_db()
    assert not default_storage.exists(old_cover) and not default_storage.exists(old_photo)
    for field, content in ((event.cover, png()), (photo.image, png("blue"))):
        assert field.name.startswith(f"events/{world.net_a.pk}/")
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / field.name).read_bytes() == content


@pytest.mark.django_db
def test_a_replaced_or_removed_cover_leaves_no_file_behind(
    world: World, django_capture_on_commit_callbacks
) -> None:
    event = make_event(world.net_a, title="送別会")
    with scopes_disabled():
        event.cover.save("c.png", ContentFile(png()))
    first = Path(settings.PRIVATE_MEDIA_ROOT) / event.cover.name
    operator = world.client(world.operator_a)
    upload = SimpleUploadedFile("new.png", png("blue"), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(url(world, event, "edit/"), {**event_data(), "cover": upload})
    assert response.status_code == 302
    with scopes_disabled():
        event.refresh_from_db()
    second = Path(settings.PRIVATE_MEDIA_ROOT) / event.cover.name
    assert second.exists() and not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(url(world, event, "edit/"), {**event_data(), "cover-clear": "on"})
    with scopes_disabled():
        event.refresh_from_db()
    assert not event.cover and not second.exists()


@pytest.mark.django_db
def test_the_edit_page_shows_the_current_cover_through_its_private_address(world: World) -> None:
    event = make_event(world.net_a, title="納涼会")
    with scopes_disabled():
        event.cover.save("c.png", ContentFile(png()))
    page = world.client(world.operator_a).get(url(world, event, "edit/"))
    assert page.status_code == 200
    assert url(world, event, "cover/") in page.content.decode()


@pytest.mark.django_db
def test_the_edit_page_costs_the_same_queries_with_many_description_images(
    world: World,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = make_event(world.net_a, title="写真の多い会")
    operator = world.client(world.operator_a)
    counts = []
    for images in (1, 6):
        with scopes_disabled():
            while Photo.objects.filter(event=event).count() < images:
                Photo.objects.create(
                    network=world.net_a, event=event, in_description=True,
                    image=ContentFile(png(), name="p.png"), posted_by=world.operator_a.user,
                )  # fmt: skip
        operator.get(url(world, event, "edit/"))  # the menu and the network come from the cache
        with CaptureQueriesContext(connection) as queries:
            assert operator.get(url(world, event, "edit/")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_organisers_add_images_to_the_description(world: World) -> None:
    event = make_event(world.net_a, title="オフィスツアー", description="集合は1階です。")
    operator = world.client(world.operator_a)
    upload = SimpleUploadedFile("map.png", png("green"), content_type="image/png")
    response = operator.post(url(world, event, "images/"), {"image": upload, "caption": "地図"})
    assert response.status_code == 302
    with scopes_disabled():
        event.refresh_from_db()
        photo = Photo.objects.get(event=event)
    image_url = url(world, event, f"photos/{photo.pk}/")
    assert event.description.endswith(f"![地図]({image_url})")
    page = world.client(world.alumni_a).get(url(world, event, "")).content.decode()
    assert f'<img src="{image_url}" alt="地図">' in page
    assert world.client(world.alumni_a).get(image_url).status_code == 200
    assert (
        photo.in_description
        and image_url
        not in world.client(world.operator_a).get(url(world, event, "report/")).content.decode()
    )  # description images are not report photos


@pytest.mark.django_db
def test_description_images_refuse_fakes_and_members_who_do_not_run_the_event(
    world: World,
) -> None:
    event = make_event(world.net_a, title="オフィスツアー")
    fake = SimpleUploadedFile("map.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = world.client(world.operator_a).post(url(world, event, "images/"), {"image": fake})
    assert response.status_code == 400
    assert "image" in response.context["image_form"].errors
    upload = SimpleUploadedFile("map.png", png(), content_type="image/png")
    response = world.client(world.alumni_a).post(url(world, event, "images/"), {"image": upload})
    assert response.status_code == 403
    with scopes_disabled():
        assert not Photo.objects.filter(event=event).exists()


@pytest.mark.django_db
def test_an_event_nobody_applied_for_can_be_deleted_with_its_files(
    world: World, django_capture_on_commit_callbacks
) -> None:
    event = make_event(world.net_a, title="誤って作った会")
    with scopes_disabled():
        event.cover.save("c.png", ContentFile(png()))
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / event.cover.name
    assert world.client(world.alumni_a).post(url(world, event, "delete/")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(world.operator_a).post(url(world, event, "delete/"))
    assert response.status_code == 302 and response["Location"].endswith("/events/")
    with scopes_disabled():
        assert not Event.objects.filter(pk=event.pk).exists()
    assert not stored.exists()


@pytest.mark.django_db
def test_an_event_with_applicants_is_called_off_not_deleted(world: World) -> None:
    from tsunagu.events.models import Registration

    event = make_event(world.net_a, title="総会")
    with scopes_disabled():
        Registration.objects.create(
            network=world.net_a, event=event, user=world.alumni_a.user, status="confirmed"
        )
    operator = world.client(world.operator_a)
    response = operator.post(url(world, event, "delete/"), follow=True)
    assert "中止して参加者に知らせてください" in response.content.decode()  # call it off instead
    with scopes_disabled():
        assert Event.objects.filter(pk=event.pk).exists()
    assert "events/" in operator.get(url(world, event, "edit/")).content.decode()


@pytest.mark.django_db
def test_image_bombs_are_refused_before_they_are_decoded_as_cover_photo_or_image(
    world: World,
) -> None:
    event = make_event(world.net_a, title="花火大会")
    operator = world.client(world.operator_a)

    def bomb() -> SimpleUploadedFile:
        return SimpleUploadedFile("花火.png", png_bomb(), content_type="image/png")

    with decoding_refused_above(1_000_000) as decoded:
        cover = operator.post(url(world, event, "edit/"), {**event_data(), "cover": bomb()})
        image = operator.post(url(world, event, "images/"), {"image": bomb()})
        report = operator.post(url(world, event, "report/"), {"report": "報告", "photo": bomb()})

    assert decoded == []
    assert "50,000,000" in str(cover.context["form"].errors["cover"])
    assert "50,000,000" in str(image.context["image_form"].errors["image"])
    assert "50,000,000" in str(report.context["form"].errors["photo"])
    with scopes_disabled():
        event.refresh_from_db()
        assert not event.cover and not Photo.objects.exists()


@pytest.mark.django_db
def test_a_cover_photo_is_stored_written_again_without_its_location(world: World) -> None:
    event = make_event(world.net_a, title="新年会")
    photo = SimpleUploadedFile("会場.jpg", photo_with_location(), content_type="image/jpeg")

    response = world.client(world.operator_a).post(
        url(world, event, "edit/"), {**event_data(), "cover": photo}
    )

    assert response.status_code == 302
    served = world.client(world.alumni_a).get(url(world, event, "cover/"))
    assert served["Content-Type"] == "image/jpeg"
    assert_stripped(b"".join(served.streaming_content))
