"""Attachments and links: images with thumbnails, checked files, listed per room, private."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from tsunagu.core.testing.images import (
    assert_stripped,
    decoding_refused_above,
    photo_with_location,
    png_bomb,
)
from tsunagu.talk.models import Attachment, Link, Message, RoomKind
from tsunagu.talk.tests.helpers import default_room, make_room
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def png(size: tuple[int, int] = (1200, 800)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile("朝活の写真.png", out.getvalue(), content_type="image/png")


def upload(client: Any, world: World, room_id: int, file: Any, body: str = "", cid: str = "form-u"):
    return client.post(
        f"/n/{world.net_a.slug}/talk/r/{room_id}/send/",
        {"body": body, "client_id": cid, "file": file},
        follow=True,
    )


def test_an_image_is_shown_with_a_thumbnail_and_listed_with_the_rooms_files(world: World) -> None:
    room = default_room(world.net_a)
    alumni = world.client(world.alumni_a)
    page = upload(alumni, world, room.pk, png(), body="今朝の朝活です")
    assert page.status_code == 200
    with scopes_disabled():
        attachment = Attachment.objects.get()
    assert attachment.is_image and attachment.thumbnail
    body = page.content.decode()
    assert f"/talk/files/{attachment.pk}/?thumb=1" in body
    thumb = world.client(world.employee_a).get(
        f"/n/{world.net_a.slug}/talk/files/{attachment.pk}/?thumb=1"
    )
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(thumb.streaming_content))) as image:
        assert max(image.size) <= 480
    files = world.client(world.employee_a).get(f"/n/{world.net_a.slug}/talk/r/{room.pk}/files/")
    assert "朝活の写真.png" in files.content.decode()
    # Another network's member never gets the file, even by its number.
    other = world.client(world.alumni_b).get(f"/n/{world.net_b.slug}/talk/files/{attachment.pk}/")
    assert other.status_code == 404


def test_slides_as_pdf_are_downloads_and_links_are_listed(world: World) -> None:
    room = default_room(world.net_a)
    alumni = world.client(world.alumni_a)
    pdf = SimpleUploadedFile(
        "自己紹介スライド.pdf", b"%PDF-1.4 slides", content_type="application/pdf"
    )
    upload(alumni, world, room.pk, pdf, body="録画は https://video.example.jp/relay/12 にあります")
    with scopes_disabled():
        attachment = Attachment.objects.get()
        assert list(Link.objects.values_list("url", flat=True)) == [
            "https://video.example.jp/relay/12"
        ]
    response = alumni.get(f"/n/{world.net_a.slug}/talk/files/{attachment.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    listing = alumni.get(f"/n/{world.net_a.slug}/talk/r/{room.pk}/files/").content.decode()
    assert "自己紹介スライド.pdf" in listing and "https://video.example.jp/relay/12" in listing


def test_fake_and_oversized_files_are_refused_with_a_clear_message(world: World, settings) -> None:
    room = default_room(world.net_a)
    alumni = world.client(world.alumni_a)
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    page = upload(alumni, world, room.pk, fake, body="写真です", cid="form-f")
    assert "画像（PNG・JPEG・GIF・WebP）" in page.content.decode()
    settings.TALK_ATTACHMENT_MAX_BYTES = 1000
    page = upload(alumni, world, room.pk, png(), body="大きい写真", cid="form-b")
    assert "ファイルが大きすぎます" in page.content.decode()
    with scopes_disabled():
        assert not Message.objects.filter(room=room).exists()
        assert not Attachment.objects.exists()


def test_files_of_a_room_are_served_only_to_its_readers(world: World) -> None:
    closed = make_room(world.operator_a, name="運営", kind=RoomKind.CLOSED)
    operator = world.client(world.operator_a)
    pdf = SimpleUploadedFile("議事録.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    upload(operator, world, closed.pk, pdf, body="議事録です")
    with scopes_disabled():
        attachment = Attachment.objects.get()
    path = f"/n/{world.net_a.slug}/talk/files/{attachment.pk}/"
    assert operator.get(path).status_code == 200
    assert world.client(world.alumni_a).get(path).status_code == 404


def test_an_image_bomb_is_refused_before_it_is_decoded(world: World) -> None:
    room = default_room(world.net_a)
    bomb = SimpleUploadedFile("panorama.png", png_bomb(), content_type="image/png")

    with decoding_refused_above(1_000_000) as decoded:
        page = upload(world.client(world.alumni_a), world, room.pk, bomb, body="絶景です")

    assert decoded == []
    assert "50,000,000" in page.content.decode()
    with scopes_disabled():
        assert not Message.objects.filter(room=room).exists()
        assert not Attachment.objects.exists()


def test_a_photo_is_stored_written_again_without_its_location(world: World) -> None:
    room = default_room(world.net_a)
    photo = SimpleUploadedFile("朝活.jpg", photo_with_location(), content_type="image/jpeg")

    upload(world.client(world.alumni_a), world, room.pk, photo, body="今朝の朝活です")

    with scopes_disabled():
        attachment = Attachment.objects.get()
    assert attachment.is_image and attachment.content_type == "image/jpeg"
    served = world.client(world.employee_a).get(
        f"/n/{world.net_a.slug}/talk/files/{attachment.pk}/"
    )
    assert_stripped(b"".join(served.streaming_content))
    assert attachment.size == attachment.file.size
