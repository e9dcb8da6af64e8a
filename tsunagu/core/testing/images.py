"""Images for upload tests: bombs made in the test, and a photo that says where it was taken."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PIL import ExifTags, Image, ImageFile

# What a stored image must not keep of a photo: where it was taken, and bytes after its end.
CAMERA = "Tsunagu Test Camera"
TRAILER = b"<script>alert('polyglot')</script>"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_zeros(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A valid RGB PNG of black pixels: its size grows with the picture's area divided by about
    a thousand. ``rows``, when given, is how many rows of data follow the header (a header that
    lies about the data)."""
    row = b"\x00" * (1 + 3 * width)  # filter byte, then the pixels
    compressor = zlib.compressobj(6)
    count = height if rows is None else rows
    step = max(1, min(count, (8 << 20) // len(row)))
    parts = []
    for start in range(0, count, step):
        parts.append(compressor.compress(row * min(step, count - start)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


@functools.cache
def png_bomb() -> bytes:
    """The audit's file: a PNG of about 420 KB announcing 12,000 × 12,000 pixels (576 MB once
    decoded)."""
    return png_of_zeros(12_000, 12_000)


def photo_with_location(size: tuple[int, int] = (640, 480), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, the place (GPS) and the orientation,
    and something hidden after the picture's end."""
    image = Image.new("RGB", size, (200, 120, 40))
    image.paste((20, 60, 160), (0, 0, size[0] // 2, size[1] // 4))  # a corner to see turning
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 41.0, 22.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 41.0, 30.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue() + TRAILER


def assert_stripped(data: bytes) -> None:
    """``data`` is an image written again: no EXIF, no place, nothing after the picture."""
    assert CAMERA.encode() not in data and TRAILER not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), "the stored image keeps the photo's EXIF"
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)


@contextmanager
def decoding_refused_above(pixels: int) -> Iterator[list[tuple[int, int]]]:
    """Inside, decoding an image of more than ``pixels`` fails instead of taking the memory;
    the sizes it was attempted on are collected (in case the code swallows the error)."""
    attempted: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def guarded(image: ImageFile.ImageFile) -> object:
        if image.size[0] * image.size[1] > pixels:
            attempted.append(image.size)
            raise AssertionError(f"an image of {image.size} was decoded")
        return load(image)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImageFile.ImageFile, "load", guarded)
        yield attempted
