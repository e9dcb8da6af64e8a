from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from tsunagu.boards.models import Attachment, Comment, Thread
from tsunagu.boards.tests.helpers import make_category, make_thread
from tsunagu.core.testing.images import (
    assert_stripped,
    decoding_refused_above,
    photo_with_location,
    png_bomb,
)
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def url(world: World, path: str = "", net: str | None = None) -> str:
    return f"/n/{net or world.net_a.slug}/boards/{path}"


def png(name: str = "写真.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_an_image_attached_to_a_thread_is_shown_to_members_only(world: World) -> None:
    category = make_category(world.net_a)
    client = world.client(world.alumni_a)
    client.post(
        url(world, "new/"),
        {
            "category": category.pk,
            "kind": "discussion",
            "title": "同期会の写真",
            "body": "先週の写真です。",
            "attachment": png(),
        },
    )
    with scopes_disabled():
        thread = Thread.objects.get()
        attachment = Attachment.objects.get()
    assert attachment.is_image and attachment.name == "写真.png"
    assert "写真.png" not in attachment.file.name  # the stored name is not the uploader's
    page = world.client(world.employee_a).get(url(world, f"t/{thread.pk}/")).content.decode()
    assert f'src="/n/{world.net_a.slug}/boards/files/{attachment.pk}/"' in page
    response = world.client(world.employee_a).get(url(world, f"files/{attachment.pk}/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    outsider = world.client(world.alumni_b)
    assert outsider.get(url(world, f"files/{attachment.pk}/")).status_code in (302, 404)
    assert (
        outsider.get(url(world, f"files/{attachment.pk}/", net=world.net_b.slug)).status_code == 404
    )


def test_a_pdf_on_a_comment_is_downloaded_not_displayed(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    pdf = SimpleUploadedFile("申請書.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "様式です", "attachment": pdf})
    with scopes_disabled():
        attachment = Attachment.objects.get()
    assert attachment.comment_id is not None and not attachment.is_image
    response = client.get(url(world, f"files/{attachment.pk}/"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png"),
        SimpleUploadedFile("page.html", b"<html><body>hi</body></html>", content_type="text/html"),
        SimpleUploadedFile("image.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml"),
    ],
    ids=["not-an-image", "html", "svg"],
)
def test_files_that_are_not_images_or_pdfs_are_refused(
    world: World, upload: SimpleUploadedFile
) -> None:
    thread = make_thread(world.alumni_a)
    response = world.client(world.employee_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "添付", "attachment": upload}
    )
    assert response.status_code == 400
    assert "attachment" in response.context["form"].errors
    with scopes_disabled():
        assert not Comment.objects.exists()
        assert not Attachment.objects.exists()


def test_a_too_large_file_is_refused(world: World, settings: object) -> None:
    settings.BOARD_ATTACHMENT_MAX_BYTES = 10  # type: ignore[attr-defined]
    thread = make_thread(world.alumni_a)
    response = world.client(world.employee_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "添付", "attachment": png()}
    )
    assert response.status_code == 400
    assert "大きすぎ" in str(response.context["form"].errors["attachment"])


def test_files_of_hidden_comments_are_not_served_to_members(world: World) -> None:
    thread = make_thread(world.alumni_a)
    world.client(world.employee_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "写真", "attachment": png()}
    )
    with scopes_disabled():
        attachment = Attachment.objects.get()
        Comment.objects.filter(pk=attachment.comment_id).update(is_hidden=True)
    assert (
        world.client(world.alumni_a).get(url(world, f"files/{attachment.pk}/")).status_code == 404
    )
    assert (
        world.client(world.operator_a).get(url(world, f"files/{attachment.pk}/")).status_code == 200
    )


def test_an_image_bomb_is_refused_before_it_is_decoded_on_threads_and_comments(
    world: World,
) -> None:
    category = make_category(world.net_a)
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)

    with decoding_refused_above(1_000_000) as decoded:
        new = client.post(
            url(world, "new/"),
            {
                "category": category.pk,
                "kind": "discussion",
                "title": "絶景",
                "body": "パノラマです。",
                "attachment": SimpleUploadedFile("bomb.png", png_bomb(), "image/png"),
            },
        )
        comment = client.post(
            url(world, f"t/{thread.pk}/comment/"),
            {"body": "添付", "attachment": SimpleUploadedFile("bomb.png", png_bomb(), "image/png")},
        )

    assert decoded == []
    for response in (new, comment):
        assert "50,000,000" in str(response.context["form"].errors["attachment"])
    with scopes_disabled():
        assert Thread.objects.get() == thread and not Comment.objects.exists()
        assert not Attachment.objects.exists()


def test_a_photo_is_stored_written_again_without_its_location(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    photo = SimpleUploadedFile("現場.jpg", photo_with_location(), content_type="image/jpeg")

    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "現場です", "attachment": photo})

    with scopes_disabled():
        attachment = Attachment.objects.get()
    assert attachment.is_image and attachment.content_type == "image/jpeg"
    served = client.get(url(world, f"files/{attachment.pk}/"))
    assert_stripped(b"".join(served.streaming_content))
