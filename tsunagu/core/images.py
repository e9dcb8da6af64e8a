"""Uploaded images: measured before they are decoded, shrunk while decoding, stored re-encoded.

A PNG of a few hundred kilobytes can announce 12,000 × 12,000 pixels, which take more than half
a gigabyte once decoded. Pillow reads the size from the file's header without decoding anything
(``Image.open`` is lazy), so every upload is refused there when its width × height is above
``MAX_IMAGE_PIXELS``. What is accepted is decoded only as large as what is stored (a JPEG at a
half to an eighth of its size through ``draft``), and written again by Pillow: the stored file
holds pixels only, never the uploaded bytes with their metadata (EXIF GPS) or anything hidden
after them.
"""

from __future__ import annotations

import io
import os
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

from .widgets import FileInput

ALLOWED_IMAGE_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
# The longer side of a stored image: larger than any screen shows it, small to decode again.
STORED_SIDE = 2560

_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)
# What Image.transpose() does for each EXIF orientation (as ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def too_many_pixels() -> ValidationError:
    limit = settings.MAX_IMAGE_PIXELS
    return ValidationError(
        _(
            "The image has too many pixels. Use an image of at most %(limit)s pixels "
            "(width × height), for example a photo saved at a smaller size."
        )
        % {"limit": f"{limit:,}"},
        code="too_many_pixels",
    )


def image_format(file: File | IO[bytes]) -> str | None:
    """The format Pillow reads in ``file`` (PNG, JPEG, BMP…), or None when it is no image.

    Only the header is read. An image larger than ``MAX_IMAGE_PIXELS`` raises ValidationError
    before anything is decoded. The file is left at its start.
    """
    file.seek(0)
    try:
        with Image.open(file) as image:
            width, height = image.size
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise too_many_pixels()
            found = image.format
            image.verify()  # the chunks' checksums (PNG), without decoding the pixels
    except Image.DecompressionBombError:  # far above the limit: Pillow refuses it itself
        raise too_many_pixels() from None
    except _UNREADABLE:
        return None
    finally:
        file.seek(0)
    return found


def reencode(file: File | IO[bytes], *, side: int = STORED_SIDE, fmt: str | None = None) -> bytes:
    """The image in ``file`` at most ``side`` pixels wide and high, turned upright, written again
    by Pillow in ``fmt`` (by default its own format) with no metadata. Animated images keep
    their first frame. Call image_format() first: this decodes.
    """
    file.seek(0)
    try:
        with Image.open(file) as opened:
            fmt = fmt or opened.format or "PNG"
            orientation = opened.getexif().get(ExifTags.Base.Orientation)
            icc = opened.info.get("icc_profile")
            # A JPEG is decoded at a half to an eighth of its size, never smaller than needed.
            opened.draft(None, (side, side))
            image: Image.Image = opened
            if image.mode == "P":  # shrink colours, not palette indexes
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            image.thumbnail((side, side), reducing_gap=2.0)
            image = _plain(image, fmt)
            if orientation in _ORIENTATION:
                image = image.transpose(_ORIENTATION[orientation])
            if icc and image.mode in ("RGB", "RGBA"):
                image = _to_srgb(image, icc)
            image.info = {}  # nothing of the upload's metadata is written again
            out = io.BytesIO()
            image.save(out, fmt, **_SAVE_OPTIONS.get(fmt, {}))
    finally:
        file.seek(0)
    return out.getvalue()


_SAVE_OPTIONS: dict[str, dict[str, Any]] = {"JPEG": {"quality": 85}, "WEBP": {"quality": 85}}
_PNG_MODES = ("1", "L", "LA", "RGB", "RGBA", "I", "I;16")


def _plain(image: Image.Image, fmt: str) -> Image.Image:
    """The pixels, decoded, in a mode ``fmt`` holds (a CMYK JPEG becomes RGB)."""
    if fmt == "JPEG":
        return image.convert("L" if image.mode in ("1", "L") else "RGB")
    if image.mode in (_PNG_MODES if fmt == "PNG" else ("L", "LA", "RGB", "RGBA")):
        image.load()
        return image
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _to_srgb(picture: Image.Image, icc: bytes) -> Image.Image:
    # Phones write photos in wider colour spaces (Display P3); without their profile they would
    # look faded, so the colours are converted instead of the profile being kept.
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            picture, source, ImageCms.createProfile("sRGB"), outputMode=picture.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture  # a profile Pillow cannot read: the colours stay as they are
    return converted if converted is not None else picture


def validate_image_file(value: File) -> None:
    """Accepts only real, reasonably small raster images, whatever the file name claims."""
    limit = settings.LOGO_MAX_BYTES
    if value.size is not None and value.size > limit:
        raise ValidationError(
            _("The image is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(value.size), "limit": filesizeformat(limit)}
        )
    found = image_format(value)
    if found is None:
        raise ValidationError(_("This file is not an image we can read (PNG, JPEG, GIF or WebP)."))
    if found not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(_("Use a PNG, JPEG, GIF or WebP image."))


class StoredImage(SimpleUploadedFile):
    """An upload re-encoded by stored_image(): stored as it is."""


def stored_image(upload: File, *, side: int = STORED_SIDE) -> StoredImage:
    """The re-encoded upload to store in place of the uploaded bytes (with its content type);
    raises ValidationError for what may not be stored (see image_format())."""
    if isinstance(upload, StoredImage):
        return upload
    found = image_format(upload)
    if found not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(_("Use a PNG, JPEG, GIF or WebP image."), code="image_format")
    try:
        data = reencode(upload, side=side)
    except (*_UNREADABLE, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read (PNG, JPEG, GIF or WebP)."),
            code="invalid_image",
        ) from None
    stem = os.path.splitext(os.path.basename(upload.name or ""))[0] or "image"
    return StoredImage(f"{stem[:100]}.{EXTENSIONS[found]}", data, CONTENT_TYPES[found])


class ImageUploadField(forms.ImageField):
    """A form's image upload (logo, photo, cover): refused before decoding when it has too many
    pixels, cleaned into the re-encoded image that is stored (see stored_image())."""

    widget = FileInput

    def to_python(self, data: Any) -> Any:
        upload = forms.FileField.to_python(self, data)  # not ImageField's: it opens it unchecked
        if upload is None:
            return None
        validate_image_file(upload)
        return stored_image(upload)
