"""Uploaded images: real, small raster images only, whatever the file name claims."""

from __future__ import annotations

import io
import os
import random
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from PIL import Image

from tsunagu.core.images import reencode, stored_image
from tsunagu.core.testing.images import (
    assert_stripped,
    decoding_refused_above,
    photo_with_location,
    png_bomb,
    png_of_zeros,
)
from tsunagu.core.validators import validate_image_file
from tsunagu.tenancy.models import Network
from tsunagu.testing.world import World

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 32), noise: bool = False) -> bytes:
    image = Image.new("RGB", size, (31, 95, 168))
    if noise:
        # Random pixels do not compress: the file is about as big as the picture.
        image = Image.frombytes("RGB", size, random.Random(42).randbytes(3 * size[0] * size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def rejection(file: SimpleUploadedFile) -> str:
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        validate_image_file(file)
    return " ".join(caught.value.messages)


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny, valid PNG header announcing a huge picture: a decompression bomb's first bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


# --- The validator --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("PNG", "logo.png"), ("JPEG", "写真.jpg"), ("GIF", "logo.gif"), ("WEBP", "logo.webp")],
)
def test_real_images_are_accepted(fmt: str, name: str) -> None:
    file = upload(name, image_bytes(fmt))

    validate_image_file(file)  # no error

    assert file.tell() == 0, "the file must still be readable from the start for saving"


def test_a_text_file_named_png_is_rejected_with_a_clear_japanese_message() -> None:
    message = rejection(upload("logo.png", "これは画像ではありません。".encode()))

    assert "PNG" in message
    assert JAPANESE.search(message), f"not in Japanese: {message}"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",  # a PNG signature and nothing else
        image_bytes("PNG")[:40],  # cut off during upload
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"<html><script>alert(1)</script></html>",
    ],
    ids=["empty", "signature-only", "truncated", "svg", "html"],
)
def test_files_that_are_not_readable_images_are_rejected(content: bytes) -> None:
    assert rejection(upload("logo.png", content))


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_real_images_in_other_formats_are_rejected(fmt: str) -> None:
    message = rejection(upload(f"logo.{fmt.lower()}", image_bytes(fmt)))

    assert "PNG" in message


def test_an_oversized_image_is_rejected_with_the_limit_in_the_message(settings: object) -> None:
    settings.LOGO_MAX_BYTES = 4 * 1024  # type: ignore[attr-defined]
    content = image_bytes("PNG", size=(120, 120), noise=True)
    assert len(content) > 4 * 1024

    with translation.override("ja"):
        limit = filesizeformat(4 * 1024)
        message = rejection(upload("logo.png", content))

    assert limit in message
    assert JAPANESE.search(message.replace(limit, "").replace(filesizeformat(len(content)), "")), (
        f"not in Japanese: {message}"
    )


def test_an_image_just_under_the_limit_is_accepted(settings: object) -> None:
    content = image_bytes("PNG", size=(120, 120), noise=True)
    settings.LOGO_MAX_BYTES = len(content)  # type: ignore[attr-defined]

    validate_image_file(upload("logo.png", content))


def test_a_decompression_bomb_is_rejected_without_being_decoded() -> None:
    assert rejection(upload("bomb.png", png_claiming_size(100_000, 100_000)))


# --- Through the operator's network settings page -----------------------------------------------


def settings_form_data(network: Network, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": network.name,
        "tagline": network.tagline,
        "brand_color": network.brand_color,
        "description": network.description,
        "eligibility": network.eligibility,
        "join_questions_text": "\n".join(network.join_questions or []),
    }
    data.update(changes)
    return data


@pytest.fixture
def media_root(settings: object, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    return tmp_path / "media"


def test_a_fake_logo_shows_a_field_error_on_the_settings_page(
    world: World, media_root: Path
) -> None:
    client = world.client(world.operator_a)
    fake = upload(
        "logo.png",
        b"#!/bin/sh\necho \xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf\n",
    )

    response = client.post(
        "/n/mitsuba-a/manage/", settings_form_data(world.net_a, name="新しい名前", logo=fake)
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_logo_error"' in html
    assert "画像" in html[html.index('id="id_logo_error"') :][:400]
    world.net_a.refresh_from_db()
    assert not world.net_a.logo
    assert world.net_a.name == "三ツ葉商事 アルムナイ", "nothing is saved when the logo is refused"
    assert not list(media_root.rglob("*.png"))


def test_an_oversized_logo_shows_a_field_error_on_the_settings_page(
    world: World, media_root: Path, settings: object
) -> None:
    settings.LOGO_MAX_BYTES = 4 * 1024  # type: ignore[attr-defined]
    big = upload("logo.png", image_bytes("PNG", size=(120, 120), noise=True))

    response = world.client(world.operator_a).post(
        "/n/mitsuba-a/manage/", settings_form_data(world.net_a, logo=big)
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_logo_error"' in html
    assert filesizeformat(4 * 1024) in html
    world.net_a.refresh_from_db()
    assert not world.net_a.logo


def test_a_bmp_logo_shows_a_field_error_on_the_settings_page(
    world: World, media_root: Path
) -> None:
    bmp = upload("logo.bmp", image_bytes("BMP"), content_type="image/bmp")

    response = world.client(world.operator_a).post(
        "/n/mitsuba-a/manage/", settings_form_data(world.net_a, logo=bmp)
    )

    assert response.status_code == 200
    assert 'id="id_logo_error"' in response.content.decode()
    world.net_a.refresh_from_db()
    assert not world.net_a.logo


def test_a_real_logo_is_saved_and_shown_in_the_header(world: World, media_root: Path) -> None:
    client = world.client(world.operator_a)

    response = client.post(
        "/n/mitsuba-a/manage/",
        settings_form_data(world.net_a, logo=upload("三ツ葉ロゴ.png", image_bytes("PNG"))),
    )

    assert response.status_code == 302
    world.net_a.refresh_from_db()
    assert world.net_a.logo
    assert (media_root / world.net_a.logo.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    home = client.get("/n/mitsuba-a/").content.decode()
    assert f'class="brand__logo" src="{world.net_a.logo.url}"' in home


def test_only_operators_may_upload_a_logo(world: World, media_root: Path) -> None:
    response = world.client(world.alumni_a).post(
        "/n/mitsuba-a/manage/",
        settings_form_data(world.net_a, logo=upload("logo.png", image_bytes("PNG"))),
    )

    assert response.status_code == 403
    world.net_a.refresh_from_db()
    assert not world.net_a.logo


# --- Too many pixels: refused from the header; what is stored is written again -------------------


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(settings: object) -> None:
    with decoding_refused_above(1_000_000) as decoded:
        message = rejection(upload("bomb.png", png_bomb()))

    assert decoded == []
    assert "50,000,000" in message
    assert JAPANESE.search(message), f"not in Japanese: {message}"


def test_the_limit_is_the_setting(settings: object) -> None:
    settings.MAX_IMAGE_PIXELS = 64 * 31  # type: ignore[attr-defined]

    assert "1,984" in rejection(upload("logo.png", image_bytes("PNG", size=(64, 32))))
    validate_image_file(upload("logo.png", image_bytes("PNG", size=(64, 31))))


def test_a_photo_is_stored_upright_and_written_again_without_its_location() -> None:
    stored = stored_image(upload("写真.jpg", photo_with_location(orientation=6), "image/jpeg"))

    data = stored.read()
    assert_stripped(data)
    assert stored.name == "写真.jpg" and stored.content_type == "image/jpeg"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (480, 640), "turned as the camera said, not shown on its side"
        assert image.getpixel((470, 10))[2] > 120, "the blue corner is now top right"


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "WEBP"])
def test_other_formats_are_stored_in_their_own_format_and_at_most_2560_pixels(fmt: str) -> None:
    stored = stored_image(upload(f"図.{fmt.lower()}", image_bytes(fmt, size=(3000, 1000))))

    with Image.open(stored) as image:
        assert image.format == fmt
        assert image.size == (2560, 853)


def test_a_thumbnail_decodes_a_jpeg_at_a_fraction_of_its_size() -> None:
    photo = image_bytes("JPEG", size=(2000, 1500))

    with decoding_refused_above(500 * 375) as decoded:
        thumbnail = reencode(io.BytesIO(photo), side=240, fmt="JPEG")

    assert decoded == []
    with Image.open(io.BytesIO(thumbnail)) as image:
        assert image.size == (240, 180)


MEASURE = """
import io, resource, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from tsunagu.core.images import stored_image
from django.core.files.uploadedfile import SimpleUploadedFile
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    stored = stored_image(SimpleUploadedFile("upload.png", data))
    outcome = "stored %dx%d" % __import__("PIL.Image").Image.open(stored).size
except ValidationError as error:
    outcome = "refused"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(outcome, (after - before) // 1024)
"""


def peak_growth(tmp_path: Path, data: bytes) -> tuple[str, int]:
    """What a fresh process does with an upload, and how much its memory's peak grew (MB)."""
    file = tmp_path / "upload.png"
    file.write_bytes(data)
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root), "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
        check=True,
    )
    outcome, megabytes = done.stdout.strip().rsplit(" ", 1)
    return outcome, int(megabytes)


def test_refusing_the_audits_bomb_takes_no_memory(tmp_path: Path) -> None:
    outcome, megabytes = peak_growth(tmp_path, png_bomb())

    assert outcome == "refused"
    assert megabytes < 20, f"{megabytes} MB for a refused upload (decoded, it takes 576 MB)"


def test_a_png_with_more_data_than_its_header_says_is_decoded_only_as_announced(
    tmp_path: Path,
) -> None:
    # 2,000 × 2,000 announced, 40,000 rows of data: 240 MB once inflated, 16 MB as announced.
    liar = png_of_zeros(2000, 2000, rows=40_000)

    outcome, megabytes = peak_growth(tmp_path, liar)

    assert outcome == "stored 2000x2000"
    assert megabytes < 120, f"{megabytes} MB to store a picture of 16 MB"


def test_a_bomb_logo_shows_a_field_error_on_the_settings_page(
    world: World, media_root: Path
) -> None:
    with decoding_refused_above(1_000_000) as decoded:
        response = world.client(world.operator_a).post(
            "/n/mitsuba-a/manage/",
            settings_form_data(world.net_a, logo=upload("logo.png", png_bomb())),
        )

    assert decoded == []
    assert response.status_code == 200
    html = response.content.decode()
    assert "50,000,000" in html[html.index('id="id_logo_error"') :][:400]
    world.net_a.refresh_from_db()
    assert not world.net_a.logo


def test_a_logo_is_published_written_again_without_its_location(
    world: World, media_root: Path
) -> None:
    photo = upload("logo.jpg", photo_with_location(), "image/jpeg")

    response = world.client(world.operator_a).post(
        "/n/mitsuba-a/manage/", settings_form_data(world.net_a, logo=photo)
    )

    assert response.status_code == 302
    world.net_a.refresh_from_db()
    assert_stripped((media_root / world.net_a.logo.name).read_bytes())
